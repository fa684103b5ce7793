// A level meter: RMS bar, peak marker and the level in dBFS (`silent` below the floor).
import { meterFraction, FLOOR_DB, type Level } from '../../lib/audio-meter';

export function Meter({ label, level, testId }: { label: string; level: Level; testId: string }) {
  const db = Math.round(level.rmsDb);
  return (
    <div
      className="meter"
      data-testid={testId}
      data-db={db.toString()}
      data-peak-db={Math.round(level.peakDb)}
    >
      <span className="meter-label">{label}</span>
      <span className="meter-bar" aria-hidden="true">
        <span className="meter-fill" style={{ width: `${meterFraction(level.rmsDb) * 100}%` }} />
        <span className="meter-peak" style={{ left: `${meterFraction(level.peakDb) * 100}%` }} />
      </span>
      <span className="meter-value mono">{level.rmsDb <= FLOOR_DB ? 'silent' : `${db} dBFS`}</span>
    </div>
  );
}
