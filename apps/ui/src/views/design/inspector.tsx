// The inspector: the selected node's id, kind, pins and a parameter form generated from its kind's
// JSON Schema; with nothing selected, the pipeline's name, description and problems.
import { useEffect, useState } from 'react';
import { SchemaForm } from '../../components/schema-form';
import { useAppData } from '../../state/app-data';
import { useDesign } from '../../state/design';
import { removeElements, renameNode, setEdgeMode, setParam } from '../../lib/graph-ops';
import { packetColor, packetLabel } from '../../lib/packet-style';
import { inputPins, outputPins } from '../../lib/pins';
import type { Issue } from '../../lib/validate';

function Swatch({ color }: { color: string }) {
  return <span className="swatch" style={{ background: color }} />;
}

export function Inspector({ issues }: { issues: Issue[] }) {
  const { state, dispatch, graph } = useDesign();
  const { lookup, packets } = useAppData();
  const node = state.selected.length === 1 ? graph.nodes.find((n) => n.id === state.selected[0]) : undefined;
  const [idText, setIdText] = useState(node?.id ?? '');
  const [idError, setIdError] = useState<string | null>(null);
  useEffect(() => {
    setIdText(node?.id ?? '');
    setIdError(null);
  }, [node?.id]);

  if (state.selected.length > 1) {
    return (
      <div className="inspector" data-testid="inspector">
        <p>
          <b>{state.selected.length}</b> nodes selected.
        </p>
        <button
          className="btn danger"
          onClick={() =>
            dispatch({ type: 'graph', graph: removeElements(graph, state.selected, [], lookup) })
          }
        >
          Delete selected
        </button>
      </div>
    );
  }

  if (!node) {
    const errors = issues.filter((i) => i.severity === 'error');
    const warnings = issues.filter((i) => i.severity === 'warning');
    return (
      <div className="inspector" data-testid="inspector">
        <div className="field">
          <label className="field-label" htmlFor="pipeline-name">
            Pipeline name
          </label>
          <input
            id="pipeline-name"
            type="text"
            value={graph.name ?? ''}
            placeholder="untitled"
            data-testid="pipeline-name"
            onChange={(e) =>
              dispatch({
                type: 'graph',
                graph: { ...graph, name: e.target.value || undefined },
                coalesce: 'pipeline-name',
              })
            }
          />
        </div>
        <div className="field">
          <label className="field-label" htmlFor="pipeline-desc">
            Description
          </label>
          <input
            id="pipeline-desc"
            type="text"
            value={graph.description ?? ''}
            onChange={(e) =>
              dispatch({
                type: 'graph',
                graph: { ...graph, description: e.target.value || undefined },
                coalesce: 'pipeline-description',
              })
            }
          />
        </div>
        {graph.nodes.length > 0 && (
          <div className="problems" data-testid="problems">
            <div className="section-title">
              {errors.length === 0 && warnings.length === 0
                ? '✓ No problems found'
                : `${errors.length} error${errors.length === 1 ? '' : 's'}, ${warnings.length} warning${warnings.length === 1 ? '' : 's'}`}
            </div>
            <ul>
              {[...errors, ...warnings].map((i, k) => (
                <li key={k} className={`problem problem-${i.severity}`}>
                  <button
                    className="link-btn"
                    onClick={() => i.nodeId && dispatch({ type: 'select', ids: [i.nodeId] })}
                  >
                    {i.message}
                  </button>
                </li>
              ))}
            </ul>
          </div>
        )}
        <p className="muted small">Select a node to edit its parameters.</p>
      </div>
    );
  }

  const def = lookup(node.kind);
  const nodeIssues = issues.filter((i) => i.nodeId === node.id);
  const inEdges = graph.edges.filter((e) => e.target === node.id);
  const commitId = () => {
    const r = renameNode(graph, node.id, idText.trim());
    if (typeof r === 'string') setIdError(r);
    else {
      setIdError(null);
      dispatch({ type: 'graph', graph: r });
      dispatch({ type: 'select', ids: [idText.trim()] });
    }
  };
  return (
    <div className="inspector" data-testid="inspector">
      <div className="field">
        <label className="field-label" htmlFor="node-id">
          Node id
        </label>
        <input
          id="node-id"
          type="text"
          className="mono"
          value={idText}
          data-testid="inspector-node-id"
          onChange={(e) => setIdText(e.target.value)}
          onBlur={commitId}
          onKeyDown={(e) => e.key === 'Enter' && commitId()}
        />
        {idError && <div className="field-error">{idError}</div>}
      </div>
      <div className="kind-line">
        <code>{node.kind}</code>
        {def?.bidirectional && <span className="chip">bidirectional</span>}
      </div>
      {def?.description && <p className="muted small">{def.description}</p>}
      {!def && (
        <p className="field-error">Unknown kind: the server does not offer '{node.kind}' to this role.</p>
      )}
      {nodeIssues.length > 0 && (
        <ul className="problems-inline">
          {nodeIssues.map((i, k) => (
            <li key={k} className={`problem problem-${i.severity}`}>
              {i.message}
            </li>
          ))}
        </ul>
      )}
      <div className="section-title">Parameters</div>
      <SchemaForm
        schema={def?.param_schema}
        value={node.params}
        testIdPrefix="inspector-field"
        onChange={(path, value) =>
          dispatch({
            type: 'graph',
            graph: setParam(graph, node.id, path, value),
            coalesce: `param:${node.id}:${path.join('.')}`,
          })
        }
      />
      <div className="section-title">Pins</div>
      <ul className="pin-list">
        {inputPins(node, def, graph.edges).map((p) => (
          <li key={`i-${p.name}`}>
            <Swatch color={packetColor(p.accepts[0] ?? 'Any', packets)} /> in{' '}
            <code>{p.ghost ? `${p.name} (new)` : p.name}</code>{' '}
            <span className="muted">{p.accepts.map((t) => packetLabel(t, packets)).join(' | ')}</span>
          </li>
        ))}
        {outputPins(graph, node, def, lookup).map((p) => (
          <li key={`o-${p.name}`}>
            <Swatch color={packetColor(p.produces, packets)} /> out <code>{p.name}</code>{' '}
            <span className="muted">{packetLabel(p.produces, packets)}</span>
          </li>
        ))}
      </ul>
      {inEdges.length > 0 && (
        <>
          <div className="section-title">Incoming connections</div>
          <ul className="pin-list">
            {inEdges.map((e) => (
              <li key={e.id}>
                <code>{e.source}</code> → <code>{e.targetPin}</code>{' '}
                <select
                  value={e.mode}
                  aria-label={`Mode of the connection from ${e.source}`}
                  onChange={(ev) =>
                    dispatch({
                      type: 'graph',
                      graph: setEdgeMode(
                        graph,
                        e.id,
                        ev.target.value === 'best_effort' ? 'best_effort' : 'reliable',
                      ),
                    })
                  }
                >
                  <option value="reliable">reliable</option>
                  <option value="best_effort">best effort</option>
                </select>
              </li>
            ))}
          </ul>
        </>
      )}
      <div className="row gap top-gap">
        <button
          className="btn danger small"
          data-testid="inspector-delete"
          onClick={() => dispatch({ type: 'graph', graph: removeElements(graph, [node.id], [], lookup) })}
        >
          Delete node
        </button>
      </div>
    </div>
  );
}
