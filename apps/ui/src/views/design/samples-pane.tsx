// Samples and fragments: load a sample pipeline (asking before replacing the canvas), insert fragments,
// save the current pipeline or selection (asking before overwriting), delete user entries.
import { useCallback, useEffect, useState } from 'react';
import { api, ApiError } from '../../api/client';
import type { SamplePipeline } from '../../api/types';
import { ConfirmModal, Modal } from '../../components/modal';
import { useToast } from '../../components/toasts';
import { useAppData } from '../../state/app-data';
import { useDesign } from '../../state/design';
import { errorMessage } from '../../lib/format';
import { insertFragment } from '../../lib/graph-ops';
import { autoLayout, placeNodes } from '../../lib/layout';
import { normalizeDynamicPins } from '../../lib/pins';
import { graphToYaml, parsePipelineYaml } from '../../lib/yaml-graph';
import { DND_FRAGMENT } from './flow-canvas';
import { useCanvasCenter } from './use-canvas-center';

interface SaveDraft {
  name: string;
  description: string;
  fragment: boolean;
}

export function SamplesPane() {
  const { can, lookup } = useAppData();
  const { state, dispatch, graph } = useDesign();
  const toast = useToast();
  const center = useCanvasCenter();
  const [samples, setSamples] = useState<SamplePipeline[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pendingLoad, setPendingLoad] = useState<SamplePipeline | null>(null);
  const [pendingDelete, setPendingDelete] = useState<SamplePipeline | null>(null);
  const [saving, setSaving] = useState<SaveDraft | null>(null);
  const [overwrite, setOverwrite] = useState<SaveDraft | null>(null);
  const [busy, setBusy] = useState(false);

  const refresh = useCallback(async () => {
    if (!can.listSamples) return;
    try {
      const [one, dyn] = await Promise.all([api.samples('oneshot'), api.samples('dynamic')]);
      const seen = new Set<string>();
      setSamples([...one, ...dyn].filter((s) => !seen.has(s.id) && seen.add(s.id)));
      setError(null);
    } catch (e) {
      setError(errorMessage(e));
    }
  }, [can.listSamples]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const load = (s: SamplePipeline) => {
    const parsed = parsePipelineYaml(s.yaml);
    if (!parsed.graph) {
      toast.error(`Sample '${s.name}' could not be read: ${parsed.problems[0]?.message ?? 'invalid YAML'}`);
      return;
    }
    const g = normalizeDynamicPins(
      parsed.unplaced.length ? autoLayout(parsed.graph, lookup) : parsed.graph,
      lookup,
    );
    dispatch({
      type: 'load',
      graph: {
        ...g,
        mode: parsed.graph.mode,
        name: g.name ?? s.name,
        description: g.description ?? s.description,
      },
    });
    toast.success(`Loaded “${s.name}”`);
  };

  const insert = (s: SamplePipeline) => {
    const parsed = parsePipelineYaml(s.yaml);
    if (!parsed.graph || parsed.graph.nodes.length === 0) {
      toast.error(`Fragment '${s.name}' has no nodes`);
      return;
    }
    const r = insertFragment(graph, placeNodes(parsed.graph, parsed.unplaced, lookup), center(), lookup);
    dispatch({ type: 'graph', graph: r.graph });
    dispatch({ type: 'select', ids: r.ids });
    toast.success(`Inserted fragment “${s.name}”`);
  };

  const save = async (d: SaveDraft, force: boolean) => {
    const fragmentGraph = d.fragment && state.selected.length > 0;
    const ids = new Set(state.selected);
    const yaml = fragmentGraph
      ? graphToYaml({
          ...graph,
          name: undefined,
          description: undefined,
          nodes: graph.nodes.filter((n) => ids.has(n.id)),
          edges: graph.edges.filter((e) => ids.has(e.source) && ids.has(e.target)),
        })
      : graphToYaml({ ...graph, name: d.name, description: d.description });
    setBusy(true);
    try {
      await api.saveSample({
        name: d.name,
        description: d.description,
        yaml,
        overwrite: force,
        is_fragment: d.fragment,
      });
      toast.success(`Saved “${d.name}”`);
      setSaving(null);
      setOverwrite(null);
      await refresh();
    } catch (e) {
      if (e instanceof ApiError && e.status === 409 && !force) {
        setSaving(null);
        setOverwrite(d);
      } else toast.error(`Save failed: ${errorMessage(e)}`);
    } finally {
      setBusy(false);
    }
  };

  const remove = async (s: SamplePipeline) => {
    setBusy(true);
    try {
      await api.deleteSample(s.id);
      toast.success(`Deleted “${s.name}”`);
      setPendingDelete(null);
      await refresh();
    } catch (e) {
      toast.error(`Delete failed: ${errorMessage(e)}`);
    } finally {
      setBusy(false);
    }
  };

  if (!can.listSamples) {
    return (
      <div className="samples-pane" data-testid="samples-pane">
        <p className="muted">Your role cannot list samples.</p>
      </div>
    );
  }

  const pipelines = (samples ?? []).filter((s) => !s.is_fragment && s.mode === state.mode);
  const fragments = (samples ?? []).filter((s) => s.is_fragment);
  const section = (title: string, list: SamplePipeline[]) =>
    list.length > 0 && (
      <section>
        <div className="section-title">
          {title} <span className="count">{list.length}</span>
        </div>
        {list.map((s) => (
          <div key={s.id} className="sample-card" data-testid="sample-card" data-sample-id={s.id}>
            <button
              className="sample-load"
              onClick={() => (graph.nodes.length > 0 ? setPendingLoad(s) : load(s))}
              title={`Load “${s.name}” into the ${s.mode} canvas`}
            >
              <span className="sample-name">{s.name}</span>
              {s.description && <span className="sample-desc">{s.description}</span>}
            </button>
            {!s.is_system && can.deleteSample && (
              <button
                className="icon-btn danger"
                aria-label={`Delete ${s.name}`}
                data-testid="sample-delete"
                onClick={() => setPendingDelete(s)}
              >
                ×
              </button>
            )}
          </div>
        ))}
      </section>
    );

  return (
    <div className="samples-pane" data-testid="samples-pane">
      <div className="pane-actions">
        {can.saveSample ? (
          <button
            className="btn small"
            data-testid="save-sample"
            disabled={graph.nodes.length === 0}
            title={
              graph.nodes.length === 0
                ? 'Add nodes first'
                : 'Save the canvas (or the selection as a fragment)'
            }
            onClick={() =>
              setSaving({ name: graph.name ?? '', description: graph.description ?? '', fragment: false })
            }
          >
            Save…
          </button>
        ) : (
          <span className="muted small">Your role cannot save samples.</span>
        )}
        <button className="btn small ghost" onClick={() => void refresh()}>
          Refresh
        </button>
      </div>
      {error && <p className="error-text">Samples could not be loaded: {error}</p>}
      {samples === null && !error && <p className="muted small">Loading samples…</p>}
      {section(
        'System samples',
        pipelines.filter((s) => s.is_system),
      )}
      {section(
        'User samples',
        pipelines.filter((s) => !s.is_system),
      )}
      {samples !== null && pipelines.length === 0 && (
        <p className="muted small">No {state.mode} samples yet.</p>
      )}
      {fragments.length > 0 && (
        <section>
          <div className="section-title">
            Fragments <span className="count">{fragments.length}</span>
          </div>
          {fragments.map((s) => (
            <div
              key={s.id}
              className="sample-card fragment"
              data-testid="fragment-card"
              draggable
              onDragStart={(e) => {
                e.dataTransfer.setData(DND_FRAGMENT, s.yaml);
                e.dataTransfer.effectAllowed = 'copy';
              }}
            >
              <button
                className="sample-load"
                onClick={() => insert(s)}
                title="Insert into the canvas (or drag it)"
              >
                <span className="sample-name">{s.name}</span>
                {s.description && <span className="sample-desc">{s.description}</span>}
              </button>
              {!s.is_system && can.deleteSample && (
                <button
                  className="icon-btn danger"
                  aria-label={`Delete ${s.name}`}
                  onClick={() => setPendingDelete(s)}
                >
                  ×
                </button>
              )}
            </div>
          ))}
        </section>
      )}

      {pendingLoad && (
        <ConfirmModal
          title="Load Sample Pipeline"
          message={
            <>
              Replace the current {pendingLoad.mode} canvas with “{pendingLoad.name}”? Your current pipeline
              will be lost unless you saved or exported it.
            </>
          }
          confirmLabel="Load Sample"
          onCancel={() => setPendingLoad(null)}
          onConfirm={() => {
            load(pendingLoad);
            setPendingLoad(null);
          }}
        />
      )}
      {pendingDelete && (
        <ConfirmModal
          title="Delete sample"
          message={<>Delete “{pendingDelete.name}” from the server? This cannot be undone.</>}
          confirmLabel="Delete"
          danger
          busy={busy}
          onCancel={() => setPendingDelete(null)}
          onConfirm={() => void remove(pendingDelete)}
        />
      )}
      {saving && (
        <SaveModal
          draft={saving}
          hasSelection={state.selected.length > 0}
          busy={busy}
          onCancel={() => setSaving(null)}
          onSave={(d) => void save(d, false)}
        />
      )}
      {overwrite && (
        <ConfirmModal
          title="Overwrite existing sample?"
          message={
            <>A sample named “{overwrite.name}” already exists. Replace it with the current pipeline?</>
          }
          confirmLabel="Overwrite"
          danger
          busy={busy}
          onCancel={() => setOverwrite(null)}
          onConfirm={() => void save(overwrite, true)}
        />
      )}
    </div>
  );
}

function SaveModal({
  draft,
  hasSelection,
  busy,
  onCancel,
  onSave,
}: {
  draft: SaveDraft;
  hasSelection: boolean;
  busy: boolean;
  onCancel: () => void;
  onSave: (d: SaveDraft) => void;
}) {
  const [d, setD] = useState(draft);
  const valid = d.name.trim().length > 0 && d.name.length <= 64;
  const submit = () => valid && !busy && onSave({ ...d, name: d.name.trim() });
  return (
    <Modal
      title="Save to samples"
      onClose={onCancel}
      testId="save-sample-modal"
      footer={
        <>
          <button className="btn" onClick={onCancel}>
            Cancel
          </button>
          <button
            className="btn primary"
            disabled={!valid || busy}
            onClick={submit}
            data-testid="save-sample-confirm"
          >
            {busy ? 'Saving…' : 'Save'}
          </button>
        </>
      }
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <div className="field">
          <label className="field-label" htmlFor="sample-name">
            Name
          </label>
          <input
            id="sample-name"
            type="text"
            value={d.name}
            maxLength={64}
            data-testid="sample-name"
            onChange={(e) => setD({ ...d, name: e.target.value })}
          />
        </div>
        <div className="field">
          <label className="field-label" htmlFor="sample-desc">
            Description
          </label>
          <input
            id="sample-desc"
            type="text"
            value={d.description}
            maxLength={200}
            onChange={(e) => setD({ ...d, description: e.target.value })}
          />
        </div>
        <label className="inline">
          <input
            type="checkbox"
            checked={d.fragment}
            disabled={!hasSelection}
            onChange={(e) => setD({ ...d, fragment: e.target.checked })}
          />{' '}
          Save only the selected nodes as a fragment
        </label>
        {!hasSelection && (
          <div className="field-help">Select nodes on the canvas to save them as a reusable fragment.</div>
        )}
      </form>
    </Modal>
  );
}
