// A form generated from a JSON Schema: sliders for small ranges (number inputs for wide ones like a
// 32-bit serial), selects for enums, checkboxes,
// text inputs, nested fieldsets for objects, and a JSON editor for anything else.
import { useEffect, useId, useState } from 'react';
import type { JsonSchema } from '../api/types';
import { checkField, describeParams, getAt, type FieldSpec } from '../lib/schema-form';
import { showsSlider } from '../lib/slider';

interface FormProps {
  schema: JsonSchema | undefined;
  value: Record<string, unknown>;
  /** `undefined` removes the key (falls back to the kind's default). */
  onChange: (path: string[], value: unknown) => void;
  /** Prefix for data-testid attributes of the fields. */
  testIdPrefix?: string;
  disabled?: boolean;
}

export function SchemaForm({ schema, value, onChange, testIdPrefix = 'field', disabled }: FormProps) {
  const fields = describeParams(schema);
  if (fields.length === 0) return <p className="muted small">This kind has no parameters.</p>;
  return (
    <div className="schema-form">
      {fields.map((f) => (
        <Field
          key={f.key}
          field={f}
          root={value}
          onChange={onChange}
          testIdPrefix={testIdPrefix}
          disabled={disabled}
        />
      ))}
    </div>
  );
}

interface FieldProps {
  field: FieldSpec;
  root: Record<string, unknown>;
  onChange: (path: string[], value: unknown) => void;
  testIdPrefix: string;
  disabled?: boolean;
}

const fmt = (n: number, f: FieldSpec) => (f.integer ? String(Math.round(n)) : String(Number(n.toFixed(4))));

function Field({ field: f, root, onChange, testIdPrefix, disabled }: FieldProps) {
  const id = useId();
  const raw = getAt(root, f.path);
  const isSet = raw !== undefined;
  const shown = isSet ? raw : f.default;
  const problems = isSet ? checkField(f, raw) : [];
  const testId = `${testIdPrefix}-${f.path.join('.')}`;
  const reset = isSet && !f.required && (
    <button
      type="button"
      className="link-btn small"
      title={
        f.default !== undefined ? `Reset to default (${JSON.stringify(f.default)})` : 'Remove this value'
      }
      onClick={() => onChange(f.path, undefined)}
      disabled={disabled}
    >
      reset
    </button>
  );
  const label = (
    <div className="field-head">
      <label htmlFor={id} className="field-label">
        {f.label}
        {f.required && (
          <span className="req" title="Required">
            *
          </span>
        )}
        {f.tunable && (
          <span className="chip chip-live" title="Can be changed while a session runs">
            live
          </span>
        )}
      </label>
      {reset}
    </div>
  );
  const help = (
    <>
      {f.description && <div className="field-help">{f.description}</div>}
      {!isSet && f.default !== undefined && f.kind !== 'object' && (
        <div className="field-help">default: {JSON.stringify(f.default)}</div>
      )}
      {problems.map((p) => (
        <div key={p} className="field-error" role="alert">
          {p}
        </div>
      ))}
    </>
  );

  if (f.kind === 'object') {
    const off = f.nullable && (raw === null || raw === undefined);
    return (
      <fieldset className="field field-object" data-testid={testId}>
        <legend className="field-label">
          {f.label}
          {f.nullable && (
            <label className="inline small">
              <input
                type="checkbox"
                checked={!off}
                disabled={disabled}
                onChange={(e) => onChange(f.path, e.target.checked ? {} : undefined)}
              />{' '}
              enabled
            </label>
          )}
        </legend>
        {f.description && <div className="field-help">{f.description}</div>}
        {!off &&
          (f.fields ?? []).map((c) => (
            <Field
              key={c.key}
              field={{ ...c, path: [...f.path, c.key] }}
              root={root}
              onChange={onChange}
              testIdPrefix={testIdPrefix}
              disabled={disabled}
            />
          ))}
      </fieldset>
    );
  }

  let control;
  // A wide range (a serial number, a byte count) is typed, not slid.
  const kind = f.kind === 'range' && !showsSlider(f) ? 'number' : f.kind;
  switch (kind) {
    case 'range': {
      const num = typeof shown === 'number' ? shown : (f.min as number);
      control = (
        <div className="range-row">
          <input
            id={id}
            type="range"
            min={f.min}
            max={f.max}
            step={f.step}
            value={num}
            disabled={disabled}
            data-testid={testId}
            onChange={(e) => onChange(f.path, Number(e.target.value))}
          />
          <NumberBox
            field={f}
            value={num}
            onCommit={(n) => onChange(f.path, n)}
            testId={`${testId}-number`}
            disabled={disabled}
          />
        </div>
      );
      break;
    }
    case 'number':
      control = (
        <NumberBox
          id={id}
          field={f}
          value={typeof shown === 'number' ? shown : undefined}
          onCommit={(n) => onChange(f.path, n)}
          testId={testId}
          disabled={disabled}
          allowEmpty
        />
      );
      break;
    case 'boolean':
      control = (
        <label className="inline">
          <input
            id={id}
            type="checkbox"
            checked={shown === true}
            disabled={disabled}
            data-testid={testId}
            onChange={(e) => onChange(f.path, e.target.checked)}
          />{' '}
          {shown === true ? 'on' : 'off'}
        </label>
      );
      break;
    case 'enum': {
      const idx = f.options?.findIndex((o) => o.value === shown) ?? -1;
      control = (
        <select
          id={id}
          value={idx}
          disabled={disabled}
          data-testid={testId}
          onChange={(e) => {
            const i = Number(e.target.value);
            onChange(f.path, i < 0 ? undefined : f.options?.[i]?.value);
          }}
        >
          {idx < 0 && <option value={-1}>—</option>}
          {f.options?.map((o, i) => (
            <option key={o.label} value={i}>
              {o.label}
            </option>
          ))}
        </select>
      );
      break;
    }
    case 'string':
      control = (
        <input
          id={id}
          type="text"
          value={typeof shown === 'string' ? shown : ''}
          placeholder={f.default !== undefined ? String(f.default) : ''}
          disabled={disabled}
          data-testid={testId}
          onChange={(e) =>
            onChange(f.path, e.target.value === '' && !f.required ? undefined : e.target.value)
          }
        />
      );
      break;
    case 'text':
      control = (
        <textarea
          id={id}
          className="mono"
          rows={8}
          spellCheck={false}
          value={typeof shown === 'string' ? shown : ''}
          disabled={disabled}
          data-testid={testId}
          onChange={(e) => onChange(f.path, e.target.value)}
        />
      );
      break;
    default:
      control = (
        <JsonBox
          id={id}
          value={shown}
          onCommit={(v) => onChange(f.path, v)}
          testId={testId}
          disabled={disabled}
        />
      );
  }
  return (
    <div className={`field${problems.length ? ' has-error' : ''}${isSet ? ' is-set' : ''}`}>
      {label}
      {control}
      {help}
    </div>
  );
}

interface NumberBoxProps {
  id?: string;
  field: FieldSpec;
  value: number | undefined;
  onCommit: (n: number | undefined) => void;
  testId: string;
  disabled?: boolean;
  allowEmpty?: boolean;
}

/** A number input that keeps what the user types until it parses, so "0." or "-" are not lost. */
function NumberBox({ id, field, value, onCommit, testId, disabled, allowEmpty }: NumberBoxProps) {
  const [text, setText] = useState(value === undefined ? '' : fmt(value, field));
  useEffect(() => {
    setText((t) => (Number(t) === value && t !== '' ? t : value === undefined ? '' : fmt(value, field)));
  }, [value, field]);
  return (
    <input
      id={id}
      type="number"
      className="num"
      min={field.min}
      max={field.max}
      step={field.step ?? 'any'}
      value={text}
      disabled={disabled}
      data-testid={testId}
      onChange={(e) => {
        setText(e.target.value);
        if (e.target.value === '') {
          if (allowEmpty) onCommit(undefined);
          return;
        }
        const n = Number(e.target.value);
        if (Number.isFinite(n)) onCommit(n);
      }}
    />
  );
}

function JsonBox({
  id,
  value,
  onCommit,
  testId,
  disabled,
}: {
  id: string;
  value: unknown;
  onCommit: (v: unknown) => void;
  testId: string;
  disabled?: boolean;
}) {
  const [text, setText] = useState(value === undefined ? '' : JSON.stringify(value));
  const [bad, setBad] = useState(false);
  return (
    <>
      <input
        id={id}
        type="text"
        className={`mono${bad ? ' invalid' : ''}`}
        value={text}
        placeholder="JSON value"
        disabled={disabled}
        data-testid={testId}
        onChange={(e) => {
          setText(e.target.value);
          if (e.target.value.trim() === '') {
            setBad(false);
            onCommit(undefined);
            return;
          }
          try {
            onCommit(JSON.parse(e.target.value));
            setBad(false);
          } catch {
            setBad(true);
          }
        }}
      />
      {bad && <div className="field-error">Not valid JSON yet</div>}
    </>
  );
}
