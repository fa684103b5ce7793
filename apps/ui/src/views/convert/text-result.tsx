// Text outputs: plain text, JSON / NDJSON values, and transcriptions (segments with times), rendered
// as they stream in.
import { useEffect, useMemo, useState } from 'react';
import type { StreamFeed } from '../../lib/stream-feed';

/** Splits concatenated or newline-delimited JSON values; returns the parsed values and the unfinished tail. */
export function splitJsonValues(text: string): { values: unknown[]; rest: string; errors: string[] } {
  const values: unknown[] = [];
  const errors: string[] = [];
  let depth = 0;
  let inString = false;
  let escaped = false;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') {
      if (depth === 0) start = i;
      depth++;
    } else if (ch === '}' || ch === ']') {
      depth--;
      if (depth === 0 && start >= 0) {
        const chunk = text.slice(start, i + 1);
        try {
          values.push(JSON.parse(chunk));
        } catch (e) {
          errors.push(e instanceof Error ? e.message : String(e));
        }
        start = -1;
      }
    }
  }
  return { values, rest: start >= 0 ? text.slice(start) : '', errors };
}

interface Segment {
  text: string;
  start_time_ms: number;
  end_time_ms: number;
  confidence?: number | null;
}

interface Transcription {
  text: string;
  segments: Segment[];
  language?: string;
}

/** Finds a transcription in a serialized packet (`{Transcription: {...}}`, `{type, data}` or bare). */
export function asTranscription(v: unknown): Transcription | null {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  for (const inner of [o.Transcription, o.data, o.transcription, o]) {
    if (typeof inner === 'object' && inner !== null) {
      const t = inner as Record<string, unknown>;
      if (typeof t.text === 'string' && Array.isArray(t.segments)) return t as unknown as Transcription;
    }
  }
  return null;
}

const ms = (n: number) => {
  const s = Math.floor(n / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}.${String(Math.floor(n % 1000)).padStart(3, '0')}`;
};

export function TextResult({ feed, contentType }: { feed: StreamFeed; contentType: string }) {
  const [text, setText] = useState('');
  useEffect(() => {
    const dec = new TextDecoder();
    let acc = '';
    return feed.subscribe((c) => {
      acc += c ? dec.decode(c, { stream: true }) : dec.decode();
      setText(acc);
    });
  }, [feed]);
  const isJson = contentType.includes('json');
  const parsed = useMemo(() => (isJson ? splitJsonValues(text) : null), [isJson, text]);
  const transcripts = useMemo(
    () => (parsed?.values ?? []).map(asTranscription).filter((t): t is Transcription => t !== null),
    [parsed],
  );
  const [view, setView] = useState<'auto' | 'raw'>('auto');

  return (
    <div className="text-result" data-testid="text-result">
      <div className="row gap">
        <div className="segmented small">
          <button className={view === 'auto' ? 'active' : ''} onClick={() => setView('auto')}>
            {transcripts.length ? 'Transcription' : isJson ? 'JSON' : 'Text'}
          </button>
          <button className={view === 'raw' ? 'active' : ''} onClick={() => setView('raw')}>
            Raw
          </button>
        </div>
        {parsed && <span className="muted small">{parsed.values.length} values</span>}
      </div>
      {view === 'raw' || !parsed ? (
        <pre className="mono text-box">{text}</pre>
      ) : transcripts.length > 0 ? (
        <div className="transcript" data-testid="transcription">
          {transcripts[0].language && <span className="chip">{transcripts[0].language}</span>}
          <p className="transcript-full">{transcripts.map((t) => t.text).join(' ')}</p>
          <ol className="segments">
            {transcripts
              .flatMap((t) => t.segments)
              .map((s, i) => (
                <li key={i}>
                  <span className="mono muted">
                    {ms(s.start_time_ms)} – {ms(s.end_time_ms)}
                  </span>{' '}
                  {s.text}
                  {typeof s.confidence === 'number' && (
                    <span className="muted small"> ({Math.round(s.confidence * 100)}%)</span>
                  )}
                </li>
              ))}
          </ol>
        </div>
      ) : (
        <ol className="json-list">
          {parsed.values.slice(-500).map((v, i) => (
            <li key={i}>
              <pre className="mono">{JSON.stringify(v, null, 2)}</pre>
            </li>
          ))}
          {parsed.errors.map((e, i) => (
            <li key={`e${i}`} className="error-text">
              {e}
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
