// TrackReader's two delivery modes against an in-process relay track: latest-group-only (catalogs) and
// ordered (media from browsers, whose group streams interleave).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TrackReader } from './hang';
import { Relay, type RelayTrack } from './relay/relay';

const frame = (n: number) => Uint8Array.of(n);

function setup(options?: ConstructorParameters<typeof TrackReader>[2]): {
  track: RelayTrack;
  reader: TrackReader;
} {
  const broadcast = new Relay().publish('test/b');
  const reader = new TrackReader(broadcast, 'audio', options);
  return { track: broadcast.track('audio'), reader };
}

function drain(reader: TrackReader): number[] {
  const out: number[] = [];
  for (let f = reader.tryNext(); f; f = reader.tryNext()) out.push(f.payload[0]);
  return out;
}

describe('TrackReader', () => {
  it('latest-only: drops frames of a group older than the newest started', () => {
    const { track, reader } = setup();
    track.beginGroup(0);
    track.writeFrame(0, frame(1));
    track.beginGroup(1);
    track.writeFrame(1, frame(2));
    track.writeFrame(0, frame(3)); // late
    assert.deepEqual(drain(reader), [1, 2]);
  });

  it('ordered: holds a newer group back until the older one ends, losing nothing', () => {
    const { track, reader } = setup({ ordered: true });
    track.beginGroup(0);
    track.writeFrame(0, frame(1));
    track.beginGroup(1);
    track.writeFrame(1, frame(3));
    track.writeFrame(0, frame(2)); // group 0's last frame arrives after group 1 started
    assert.deepEqual(drain(reader), [1, 2]);
    track.endGroup(0);
    track.writeFrame(1, frame(4));
    track.beginGroup(2);
    track.endGroup(1);
    track.writeFrame(2, frame(5));
    assert.deepEqual(drain(reader), [3, 4, 5]);
    assert.equal(reader.dropped, 0);
  });

  it('ordered: gives up a group that never ends once enough newer groups wait, and counts its late frames', () => {
    const { track, reader } = setup({ ordered: true, maxGroupsAhead: 2 });
    track.beginGroup(0);
    track.writeFrame(0, frame(1));
    for (const g of [1, 2, 3]) {
      track.beginGroup(g);
      track.writeFrame(g, frame(10 + g));
      track.endGroup(g);
    }
    assert.deepEqual(drain(reader), [1, 11, 12, 13]);
    track.writeFrame(0, frame(2)); // too late: group 0 was given up
    assert.deepEqual(drain(reader), []);
    assert.equal(reader.dropped, 1);
    track.beginGroup(4);
    track.writeFrame(4, frame(14));
    assert.deepEqual(drain(reader), [14]);
  });
});
