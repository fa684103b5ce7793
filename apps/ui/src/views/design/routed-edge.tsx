// A canvas connection drawn along an orthogonal route around the other nodes (lib/edge-routing.ts), so a
// loop back to an earlier node or a long link never runs through a node's box.
import { BaseEdge, type Edge, type EdgeProps } from '@xyflow/react';
import { memo, useMemo } from 'react';
import type { ConnectionMode } from '../../lib/graph';
import { labelPoint, roundedPath, routeEdge, type Box } from '../../lib/edge-routing';

export interface RoutedEdgeData extends Record<string, unknown> {
  mode: ConnectionMode;
  /** Every node's box on the canvas (one shared array for all edges). */
  boxes: Box[];
}

export type RoutedFlowEdge = Edge<RoutedEdgeData, 'routed'>;

function RoutedEdgeView(props: EdgeProps<RoutedFlowEdge>) {
  const { sourceX, sourceY, targetX, targetY, data, style, markerEnd, label, interactionWidth } = props;
  const boxes = data?.boxes;
  const points = useMemo(
    () =>
      routeEdge(
        { x: Math.round(sourceX), y: Math.round(sourceY) },
        { x: Math.round(targetX), y: Math.round(targetY) },
        boxes ?? [],
      ),
    [sourceX, sourceY, targetX, targetY, boxes],
  );
  const at = labelPoint(points);
  return (
    <BaseEdge
      path={roundedPath(points)}
      style={style}
      markerEnd={markerEnd}
      label={label}
      labelX={at.x}
      labelY={at.y}
      interactionWidth={interactionWidth}
    />
  );
}

export const RoutedEdge = memo(RoutedEdgeView);
