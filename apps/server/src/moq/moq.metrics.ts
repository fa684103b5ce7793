// MoQ on /metrics: sessions by transport (open now and served since start) and HTTP/3 connections, read at
// scrape time from the relay's counters.
import { Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { MetricsService } from '../metrics/metrics.service';
import { MoqService } from './moq.service';

@Injectable()
export class MoqMetrics {
  constructor(metrics: MetricsService, moq: MoqService) {
    const registers = [metrics.registry];
    const stats = moq.moq.transportStats;
    new Gauge({
      name: 'moq_sessions_active',
      help: 'MoQ sessions open now, by transport (webtransport = HTTP/3, websocket = the fallback).',
      labelNames: ['transport'],
      registers,
      collect() {
        for (const [transport, s] of Object.entries(stats)) this.set({ transport }, s.active);
      },
    });
    new Gauge({
      name: 'moq_sessions_served',
      help: 'MoQ sessions served since the server started, by transport.',
      labelNames: ['transport'],
      registers,
      collect() {
        for (const [transport, s] of Object.entries(stats)) this.set({ transport }, s.total);
      },
    });
    new Gauge({
      name: 'moq_http3_connections',
      help: 'HTTP/3 (QUIC) connections open now.',
      registers,
      collect() {
        this.set(moq.gateway.http3Stats().connections);
      },
    });
  }
}
