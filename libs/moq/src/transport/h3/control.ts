// The HTTP/3 control streams: the SETTINGS we send (what WebTransport needs), the frames the peer's control
// stream may carry, and what its QPACK encoder stream may say with a dynamic table of capacity 0.
import type { QuicConnection } from '../quic/connection';
import {
  decodeSettings,
  encodeSettings,
  encodeVarintBytes,
  FrameType,
  H3ConnectionError,
  H3Error,
  RESERVED_H2_FRAMES,
  Setting,
  UniStreamType,
} from './frames';
import type { H3Limits, StreamRole } from './types';

/** Largest frame accepted on the peer's control stream. */
export const CONTROL_FRAME_LIMIT = 4096;

/** Opens our control stream with its SETTINGS. */
export function sendSettings(quic: QuicConnection, limits: H3Limits): void {
  const control = quic.openUni();
  control.write(encodeVarintBytes([UniStreamType.CONTROL]));
  const wt = 1;
  control.write(
    encodeSettings(
      new Map([
        [Setting.ENABLE_CONNECT_PROTOCOL, 1],
        [Setting.H3_DATAGRAM, 1],
        [Setting.H3_DATAGRAM_DRAFT04, 1],
        [Setting.ENABLE_WEBTRANSPORT, 1],
        [Setting.WEBTRANSPORT_MAX_SESSIONS_DRAFT02, wt],
        [Setting.WEBTRANSPORT_MAX_SESSIONS, wt],
        [Setting.MAX_FIELD_SECTION_SIZE, limits.maxFieldSectionBytes],
      ]),
    ),
  );
}

/** Reads the peer's control stream frames: SETTINGS first and once, never request frames. */
export function readControlFrames(role: Extract<StreamRole, { kind: 'control' }>): void {
  for (let f = role.frames.next(); f; f = role.frames.next()) {
    if (!role.settingsSeen) {
      if (f.type !== FrameType.SETTINGS) {
        throw new H3ConnectionError(H3Error.MISSING_SETTINGS, 'the control stream must start with SETTINGS');
      }
      role.settingsSeen = true;
      decodeSettings(f.payload);
      continue;
    }
    if (f.type === FrameType.SETTINGS)
      throw new H3ConnectionError(H3Error.FRAME_UNEXPECTED, 'second SETTINGS frame');
    if (f.type === FrameType.DATA || f.type === FrameType.HEADERS || f.type === FrameType.PUSH_PROMISE)
      throw new H3ConnectionError(
        H3Error.FRAME_UNEXPECTED,
        `frame 0x${f.type.toString(16)} on the control stream`,
      );
    if (RESERVED_H2_FRAMES.has(f.type))
      throw new H3ConnectionError(H3Error.FRAME_UNEXPECTED, `reserved frame 0x${f.type.toString(16)}`);
    // GOAWAY, MAX_PUSH_ID, CANCEL_PUSH and unknown frames need nothing from a server with one session.
  }
}

/** Checks bytes of the peer's QPACK encoder stream. */
export function checkEncoderStream(data: Uint8Array): void {
  // Only "Set Dynamic Table Capacity" to 0 fits our SETTINGS (capacity 0).
  for (const b of data) {
    if (b !== 0x20) {
      throw new H3ConnectionError(H3Error.QPACK_ENCODER_STREAM_ERROR, 'dynamic table use with capacity 0');
    }
  }
}
