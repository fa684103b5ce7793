// Plays audio while the response streams: MSE for WebM/MP4/MP3, WebCodecs for Ogg/Opus, and a plain
// <audio> on the finished file otherwise (and once a live stream has fully arrived, so it can be seeked).
import { useEffect, useRef, useState } from 'react';
import { formatBytes, formatClock } from '../../lib/format';
import { LiveOpusPlayer } from '../../lib/live-opus';
import type { StreamFeed } from '../../lib/stream-feed';

type Engine = 'mse' | 'live' | 'file';

function mseType(contentType: string): string | null {
  if (typeof window.MediaSource !== 'function') return null;
  const t = contentType.toLowerCase();
  const candidates = t.includes('codecs')
    ? [contentType]
    : t.startsWith('audio/webm') || t.startsWith('video/webm')
      ? ['audio/webm; codecs="opus"']
      : t.startsWith('audio/mp4')
        ? ['audio/mp4; codecs="mp4a.40.2"']
        : t.startsWith('audio/mpeg')
          ? ['audio/mpeg']
          : [];
  return candidates.find((c) => MediaSource.isTypeSupported(c)) ?? null;
}

export function chooseEngine(contentType: string): Engine {
  if (mseType(contentType)) return 'mse';
  const t = contentType.toLowerCase();
  if ((t.startsWith('audio/ogg') || t.startsWith('audio/opus')) && LiveOpusPlayer.supported()) return 'live';
  return 'file';
}

export function ResultPlayer({ feed, contentType }: { feed: StreamFeed; contentType: string }) {
  const [engine, setEngine] = useState<Engine>(() => chooseEngine(contentType));
  const audio = useRef<HTMLAudioElement>(null);
  const live = useRef<LiveOpusPlayer | null>(null);
  const [time, setTime] = useState(0);
  const [fileUrl, setFileUrl] = useState<string | null>(null);
  const [livePaused, setLivePaused] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const resumeAt = useRef<{ at: number; play: boolean } | null>(null);

  // MSE: append chunks in order as the SourceBuffer becomes free.
  useEffect(() => {
    if (engine !== 'mse' || !audio.current) return;
    const type = mseType(contentType) as string;
    const ms = new MediaSource();
    const url = URL.createObjectURL(ms);
    audio.current.src = url;
    let unsub = () => undefined as unknown;
    const queue: Uint8Array[] = [];
    let ended = false;
    ms.addEventListener('sourceopen', () => {
      const sb = ms.addSourceBuffer(type);
      const pump = () => {
        if (sb.updating || ms.readyState !== 'open') return;
        const next = queue.shift();
        if (next) sb.appendBuffer(next as BufferSource);
        else if (ended) ms.endOfStream();
      };
      sb.addEventListener('updateend', pump);
      sb.addEventListener('error', () =>
        setProblem('The browser could not play this stream; use the download.'),
      );
      unsub = feed.subscribe((c) => {
        if (c) queue.push(c);
        else ended = true;
        pump();
      });
      void audio.current?.play().catch(() => undefined);
    });
    return () => {
      unsub();
      URL.revokeObjectURL(url);
    };
  }, [engine, feed, contentType]);

  // Live Ogg/Opus: decode as bytes arrive; once complete, hand over to <audio> at the same position.
  useEffect(() => {
    if (engine !== 'live') return;
    const player = new LiveOpusPlayer();
    live.current = player;
    const unsub = feed.subscribe((c) => {
      if (c) {
        player.push(c);
        if (player.error) setProblem(`Live playback stopped: ${player.error}`);
        return;
      }
      // Carry on where the live player is, unless the user paused it.
      resumeAt.current = { at: player.currentTime, play: !player.paused };
      player.close();
      live.current = null;
      setEngine('file');
    });
    return () => {
      unsub();
      player.close();
      if (live.current === player) live.current = null;
    };
  }, [engine, feed]);

  // File: a blob URL of the finished response.
  useEffect(() => {
    if (engine !== 'file') return;
    let url: string | null = null;
    const unsub = feed.subscribe((c) => {
      if (c !== null) return;
      url = URL.createObjectURL(feed.blob(contentType.split(';')[0]));
      setFileUrl(url);
    });
    return () => {
      unsub();
      if (url) URL.revokeObjectURL(url);
    };
  }, [engine, feed, contentType]);

  useEffect(() => {
    const el = audio.current;
    if (!el || !fileUrl || engine !== 'file') return;
    el.src = fileUrl;
    const r = resumeAt.current ?? { at: 0, play: true };
    const onMeta = () => {
      if (r.at > 0 && r.at < el.duration) el.currentTime = r.at;
      if (r.play) void el.play().catch(() => undefined);
    };
    el.addEventListener('loadedmetadata', onMeta, { once: true });
    return () => el.removeEventListener('loadedmetadata', onMeta);
  }, [fileUrl, engine]);

  useEffect(() => {
    const t = window.setInterval(() => {
      setTime(live.current ? live.current.currentTime : (audio.current?.currentTime ?? 0));
    }, 200);
    return () => window.clearInterval(t);
  }, []);

  return (
    <div
      className="player"
      data-testid="result-player"
      data-engine={engine}
      data-current-time={time.toFixed(2)}
    >
      {engine === 'live' && (
        <div className="live-player">
          <button
            className="btn small"
            aria-label={livePaused ? 'Resume' : 'Pause'}
            onClick={() => {
              const p = live.current;
              if (!p) return;
              void (p.paused ? p.resume() : p.pause()).then(() => setLivePaused(p.paused));
            }}
          >
            {livePaused ? '▶' : '❚❚'}
          </button>
          <span className="mono">{formatClock(time)}</span>
          <span className="chip chip-live">streaming</span>
          <span className="muted small">{formatBytes(feed.received)} received</span>
        </div>
      )}
      <audio ref={audio} controls hidden={engine === 'live'} data-testid="result-audio" preload="auto" />
      {problem && <p className="error-text small">{problem}</p>}
    </div>
  );
}
