import { fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { lookup } from '../testing/fixtures';
import { setAt } from '../lib/schema-form';
import { SchemaForm } from './schema-form';

function Harness({
  kind,
  initial = {},
  spy,
}: {
  kind: string;
  initial?: Record<string, unknown>;
  spy?: (v: Record<string, unknown>) => void;
}) {
  const [value, setValue] = useState(initial);
  return (
    <SchemaForm
      schema={lookup(kind)?.param_schema}
      value={value}
      onChange={(path, v) => {
        const next = setAt(value, path, v);
        setValue(next);
        spy?.(next);
      }}
    />
  );
}

describe('SchemaForm', () => {
  it('renders a slider plus number box for a ranged number and reports changes', () => {
    const spy = vi.fn();
    render(<Harness kind="audio::gain" spy={spy} />);
    const slider = screen.getByTestId('field-gain') as HTMLInputElement;
    expect(slider.type).toBe('range');
    expect(slider.min).toBe('0');
    expect(slider.max).toBe('4');
    expect(slider.value).toBe('1');
    fireEvent.change(slider, { target: { value: '2.5' } });
    expect(spy).toHaveBeenLastCalledWith({ gain: 2.5 });
    expect((screen.getByTestId('field-gain-number') as HTMLInputElement).value).toBe('2.5');
    expect(screen.getByText('live')).toBeTruthy();
  });

  it('renders a 32-bit serial number as a number input, not a slider', () => {
    const spy = vi.fn();
    // The server's containers::ogg::muxer schema (the recorded fixture leaves the serial unbounded).
    const schema = {
      type: 'object',
      properties: { stream_serial: { type: 'integer', minimum: 0, maximum: 0xffffffff, default: 0 } },
    };
    render(<SchemaForm schema={schema} value={{}} onChange={(path, v) => spy(setAt({}, path, v))} />);
    const input = screen.getByTestId('field-stream_serial') as HTMLInputElement;
    expect(input.type).toBe('number');
    expect(input.max).toBe(String(0xffffffff));
    expect(screen.queryByTestId('field-stream_serial-number')).toBeNull();
    fireEvent.change(input, { target: { value: '3735928559' } });
    expect(spy).toHaveBeenLastCalledWith({ stream_serial: 3735928559 });
  });

  it('shows range errors from the schema next to the field', () => {
    render(<Harness kind="audio::gain" initial={{ gain: 7 }} />);
    expect(screen.getByRole('alert').textContent).toBe('gain must be ≤ 4 (got 7)');
  });

  it('renders enums as selects and booleans as checkboxes', () => {
    const spy = vi.fn();
    render(<Harness kind="transport::moq::peer" spy={spy} />);
    fireEvent.click(screen.getByTestId('field-allow_reconnect'));
    expect(spy).toHaveBeenLastCalledWith({ allow_reconnect: true });
    fireEvent.change(screen.getByTestId('field-gateway_path'), { target: { value: '/moq/live' } });
    expect(spy).toHaveBeenLastCalledWith({ allow_reconnect: true, gateway_path: '/moq/live' });
  });

  it('selects enum values with their original type', () => {
    const spy = vi.fn();
    render(<Harness kind="audio::resampler" initial={{ target_sample_rate: 16000 }} spy={spy} />);
    const select = screen.getByTestId('field-output_frame_size') as HTMLSelectElement;
    const idx = [...select.options].findIndex((o) => o.textContent === '480');
    fireEvent.change(select, { target: { value: String(idx) } });
    expect(spy).toHaveBeenLastCalledWith({ target_sample_rate: 16000, output_frame_size: 480 });
  });

  it('enables a nullable nested object and edits its fields by path', () => {
    const spy = vi.fn();
    render(<Harness kind="audio::mixer" spy={spy} />);
    expect(screen.queryByTestId('field-clocked.sample_rate')).toBeNull();
    fireEvent.click(screen.getByLabelText('enabled'));
    expect(spy).toHaveBeenLastCalledWith({ clocked: {} });
    fireEvent.change(screen.getByTestId('field-clocked.sample_rate'), { target: { value: '16000' } });
    expect(spy).toHaveBeenLastCalledWith({ clocked: { sample_rate: 16000 } });
  });

  it('resets a value to the kind default', () => {
    const spy = vi.fn();
    render(<Harness kind="audio::gain" initial={{ gain: 3 }} spy={spy} />);
    fireEvent.click(screen.getByText('reset'));
    expect(spy).toHaveBeenLastCalledWith({});
  });

  it('says so when a kind has no parameters', () => {
    render(<Harness kind="audio::opus::decoder" />);
    expect(screen.getByText('This kind has no parameters.')).toBeTruthy();
  });
});
