// The selected session's live model: the pipeline fetched once (and again after each reconnect), then
// kept current by the nodeStates, nodeStats and sessionEvents subscriptions.
import { useCallback, useEffect, useReducer } from 'react';
import type { LiveClient } from '../../api/graphql';
import {
  NODE_STATES,
  NODE_STATS,
  SESSION_EVENTS,
  sessionsApi,
  type LiveConnection,
  type LivePipeline,
  type NodeStateEvent,
  type NodeStatsEvent,
  type NodeStatsView,
  type NodeStateView,
  type SessionEventMessage,
} from '../../api/sessions';
import { connectionKey } from '../../lib/staging';

export interface RateView {
  /** Packets sent per second over the last stats interval. */
  pps: number;
  /**
   * The node sent packets within the last `FLOW_HOLD_MS` (its outgoing edges carry data). Held a little
   * so a node that sends in bursts does not flicker between flowing and idle from one sample to the next.
   */
  flowing: boolean;
  /** When the node's sent count last grew. */
  lastSentAt: number | null;
  stats: NodeStatsView;
  at: number;
}

export interface TelemetryItem {
  at: number;
  nodeId: string;
  label: string;
}

export interface StatsPoint {
  at: number;
  pps: number;
  errors: number;
  drops: number;
}

export interface LiveSession {
  pipeline: LivePipeline | null;
  states: Record<string, NodeStateView>;
  rates: Record<string, RateView>;
  telemetry: TelemetryItem[];
  history: StatsPoint[];
  error: string | null;
  destroyed: boolean;
}

export type LiveSessionAction =
  | { t: 'reset' }
  | { t: 'pipeline'; pipeline: LivePipeline }
  | { t: 'error'; message: string }
  | { t: 'state'; nodeId: string; state: NodeStateView }
  | { t: 'stats'; nodeId: string; stats: NodeStatsView; at: number }
  | { t: 'event'; event: SessionEventMessage['sessionEvents']; at: number }
  | { t: 'params'; nodeId: string; params: Record<string, unknown> };

export const INITIAL_LIVE_SESSION: LiveSession = {
  pipeline: null,
  states: {},
  rates: {},
  telemetry: [],
  history: [],
  error: null,
  destroyed: false,
};
const MAX_TELEMETRY = 200;
const MAX_HISTORY = 120;
const FLOW_HOLD_MS = 2500;

function withNodes(s: LiveSession, f: (p: LivePipeline) => LivePipeline): LiveSession {
  return s.pipeline ? { ...s, pipeline: f(s.pipeline) } : s;
}

const dropConn = (cs: LiveConnection[], c: LiveConnection) =>
  cs.filter((x) => connectionKey(x) !== connectionKey(c));

/** The live model's reducer (exported for its tests). */
export function reduceLiveSession(s: LiveSession, a: LiveSessionAction): LiveSession {
  switch (a.t) {
    case 'reset':
      return INITIAL_LIVE_SESSION;
    case 'pipeline': {
      const states = { ...s.states };
      for (const n of a.pipeline.nodes) if (n.state && !states[n.id]) states[n.id] = n.state;
      return { ...s, pipeline: a.pipeline, states, error: null };
    }
    case 'error':
      return { ...s, error: a.message };
    case 'state':
      return { ...s, states: { ...s.states, [a.nodeId]: a.state } };
    case 'params':
      return withNodes(s, (p) => ({
        ...p,
        nodes: p.nodes.map((n) => (n.id === a.nodeId ? { ...n, params: a.params } : n)),
      }));
    case 'stats': {
      const prev = s.rates[a.nodeId];
      const dt = prev ? (a.at - prev.at) / 1000 : 0;
      // The first sample has nothing to diff against: use the node's lifetime average instead.
      const pps =
        prev && dt > 0
          ? Math.max(0, (a.stats.sent - prev.stats.sent) / dt)
          : a.stats.durationSecs > 0
            ? a.stats.sent / a.stats.durationSecs
            : 0;
      const lastSentAt = prev && a.stats.sent > prev.stats.sent ? a.at : (prev?.lastSentAt ?? null);
      const flowing = lastSentAt !== null && a.at - lastSentAt <= FLOW_HOLD_MS;
      const rates = { ...s.rates, [a.nodeId]: { pps, flowing, lastSentAt, stats: a.stats, at: a.at } };
      const all = Object.values(rates);
      const point: StatsPoint = {
        at: a.at,
        pps: all.reduce((sum, r) => sum + r.pps, 0),
        errors: all.reduce((sum, r) => sum + r.stats.errored, 0),
        drops: all.reduce((sum, r) => sum + r.stats.discarded, 0),
      };
      const last = s.history[s.history.length - 1];
      // One point per second is enough for the timeline; nodes report in the same tick.
      const history =
        last && a.at - last.at < 900
          ? [...s.history.slice(0, -1), point]
          : [...s.history.slice(-(MAX_HISTORY - 1)), point];
      return { ...s, rates, history };
    }
    case 'event': {
      const e = a.event;
      switch (e.type) {
        case 'NODE_ADDED':
          return withNodes(s, (p) => ({
            ...p,
            nodes: p.nodes.some((n) => n.id === e.nodeId)
              ? p.nodes
              : [...p.nodes, { id: e.nodeId, kind: e.kind, params: e.params, state: null, stats: null }],
          }));
        case 'NODE_REMOVED':
          return withNodes(s, (p) => ({
            ...p,
            nodes: p.nodes.filter((n) => n.id !== e.nodeId),
            connections: p.connections.filter((c) => c.fromNode !== e.nodeId && c.toNode !== e.nodeId),
          }));
        case 'NODE_PARAMS_CHANGED':
          return reduceLiveSession(s, { t: 'params', nodeId: e.nodeId, params: e.params });
        case 'CONNECTION_ADDED':
          return withNodes(s, (p) => ({
            ...p,
            connections: [...dropConn(p.connections, e.connection), e.connection],
          }));
        case 'CONNECTION_REMOVED':
          return withNodes(s, (p) => ({ ...p, connections: dropConn(p.connections, e.connection) }));
        case 'NODE_TELEMETRY': {
          const item = {
            at: Date.parse(e.timestamp) || a.at,
            nodeId: e.nodeId,
            label: `${e.typeId}${e.missed ? ` (+${e.missed} missed)` : ''}: ${JSON.stringify(e.data)}`,
          };
          return { ...s, telemetry: [...s.telemetry.slice(-(MAX_TELEMETRY - 1)), item] };
        }
        case 'SESSION_DESTROYED':
          return { ...s, destroyed: true };
        default:
          return s;
      }
    }
  }
}

export const STATS_INTERVAL_MS = 1000;

/** Subscribes to `sessionId` on `client`; `epoch` changes after each reconnect to re-fetch the pipeline. */
export function useLiveSession(
  client: LiveClient | null,
  sessionId: string | null,
  epoch: number,
): [LiveSession, (nodeId: string, params: Record<string, unknown>) => void] {
  const [state, dispatch] = useReducer(reduceLiveSession, INITIAL_LIVE_SESSION);

  useEffect(() => {
    dispatch({ t: 'reset' });
  }, [sessionId]);

  useEffect(() => {
    if (!sessionId) return;
    let live = true;
    sessionsApi.pipeline(sessionId).then(
      (pipeline) => live && dispatch({ t: 'pipeline', pipeline }),
      (e: unknown) => live && dispatch({ t: 'error', message: e instanceof Error ? e.message : String(e) }),
    );
    return () => {
      live = false;
    };
  }, [sessionId, epoch]);

  useEffect(() => {
    if (!client || !sessionId) return;
    const onError = (message: string) => dispatch({ t: 'error', message });
    const offs = [
      client.subscribe<NodeStateEvent>(
        NODE_STATES,
        { id: sessionId },
        {
          next: (d) => dispatch({ t: 'state', nodeId: d.nodeStates.nodeId, state: d.nodeStates.state }),
          error: onError,
        },
      ),
      client.subscribe<NodeStatsEvent>(
        NODE_STATS,
        { id: sessionId, ms: STATS_INTERVAL_MS },
        {
          next: (d) =>
            dispatch({
              t: 'stats',
              nodeId: d.nodeStats.nodeId,
              stats: d.nodeStats.stats,
              at: Date.parse(d.nodeStats.timestamp) || Date.now(),
            }),
          error: onError,
        },
      ),
      client.subscribe<SessionEventMessage>(
        SESSION_EVENTS,
        { id: sessionId },
        {
          next: (d) => dispatch({ t: 'event', event: d.sessionEvents, at: Date.now() }),
          error: onError,
        },
      ),
    ];
    return () => offs.forEach((off) => off());
  }, [client, sessionId]);

  const setParams = useCallback(
    (nodeId: string, params: Record<string, unknown>) => dispatch({ t: 'params', nodeId, params }),
    [],
  );
  return [state, setParams];
}

const PRIORITY = ['Failed', 'Stopped', 'Degraded', 'Recovering', 'Initializing'];

/** One status for a whole session: the worst node state, `Running` when every node runs. */
export function aggregateStatus(states: NodeStateView[]): string {
  if (states.length === 0) return 'Unknown';
  for (const p of PRIORITY) if (states.some((s) => s.status === p)) return p;
  return states.every((s) => s.status === 'Running') ? 'Running' : 'Unknown';
}
