// One GraphQL-over-WebSocket client per live view: its link status, whether the link was lost (for the
// banner), and the reconnection epoch views use to re-read what they may have missed.
import { useEffect, useState } from 'react';
import { graphqlWsUrl, LiveClient, type LinkStatus } from './graphql';

export function useLiveClient(): {
  client: LiveClient | null;
  status: LinkStatus;
  lost: boolean;
  epoch: number;
} {
  const [client, setClient] = useState<LiveClient | null>(null);
  const [status, setStatus] = useState<LinkStatus>('connecting');
  const [lost, setLost] = useState(false);
  const [epoch, setEpoch] = useState(0);
  useEffect(() => {
    const c = new LiveClient(graphqlWsUrl());
    const off = c.onStatus((s) => {
      setStatus(s);
      if (s === 'disconnected') setLost(true);
      if (s === 'connected') {
        setLost(false);
        setEpoch(c.epoch);
      }
    });
    setClient(c);
    return () => {
      off();
      c.dispose();
    };
  }, []);
  return { client, status, lost, epoch };
}
