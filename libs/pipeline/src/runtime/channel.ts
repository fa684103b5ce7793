// Bounded packet queues between pins. The hot path is synchronous: a send with room and a receive with
// data touch only a ring buffer; promises are created only when a queue is full or empty.
import { EOS, type Eos, type Packet } from '../core/packets';
import type { NodeStatsCounters, Receiver, Sender } from '../core/node';
import type { ConnectionMode } from '../definition/types';

/**
 * Wall-clock accounting of a node: processing time is the time the node spends between waking up and
 * waiting again on one of its inputs or outputs. Only the slow paths (waits) touch the clock.
 */
export class NodeMeter {
  private busySince = performance.now();
  private waiting = 0;
  /** Called on every wait (the runner uses it to promote a node still `Initializing` to `Running`). */
  onWait: (() => void) | null = null;
  constructor(readonly stats: NodeStatsCounters) {}

  beginWait(): void {
    if (this.onWait !== null) this.onWait();
    if (this.waiting++ === 0) this.stats.processingNs += (performance.now() - this.busySince) * 1e6;
  }

  endWait(): void {
    if (--this.waiting === 0) this.busySince = performance.now();
  }

  /** Flush the busy time accumulated since the last wait (at the end of a run). */
  finish(): void {
    if (this.waiting === 0) this.stats.processingNs += (performance.now() - this.busySince) * 1e6;
    this.busySince = performance.now();
  }
}

type Resolve<T> = (value: T) => void;

/**
 * Shared progress counter of this thread (an engine worker sets it): every packet taken from any input bumps
 * index 0, so the pool's watchdog can tell a thread that is busy working through a backlog (packets move)
 * from one stuck inside a single call (nothing moves and the event loop does not turn).
 */
let progress: Int32Array | undefined;

export function setPacketProgressCounter(counter: Int32Array | undefined): void {
  progress = counter;
}

/**
 * Cooperative scheduling (engine workers turn it on): nodes working through queued packets never wait, so
 * without it a backlog holds the thread's event loop for as long as it lasts (every other session on the
 * thread stalls, commands and destroy go unanswered). Once a turn of the event loop has run for the budget,
 * every input reports itself empty until the loop has turned; readers then resume in the next turn. Sends
 * are not held back: nodes may count on a send with room going through at once.
 */
let turnBudgetMs: number | undefined;

/** Sets the budget in ms (undefined: off, the default on the main thread). */
export function setTurnBudget(ms: number | undefined): void {
  turnBudgetMs = ms;
}

let turnStart = 0;
let turnMarked = false;
let yielding = false;
let turnPassed: Promise<void> | null = null;
let resolveTurn: (() => void) | null = null;

function markTurn(): void {
  turnMarked = false;
  yielding = false;
  const resolve = resolveTurn;
  turnPassed = null;
  resolveTurn = null;
  resolve?.();
}

/** True when the current turn used up its budget (one clock read per packet taken). */
function overBudget(): boolean {
  if (turnBudgetMs === undefined) return false;
  if (yielding) return true;
  const now = performance.now();
  if (!turnMarked) {
    turnMarked = true;
    turnStart = now;
    setImmediate(markTurn);
    return false;
  }
  if (now - turnStart < turnBudgetMs) return false;
  yielding = true;
  return true;
}

/** Resolves once the event loop has turned (shared by every reader that yielded). */
function nextTurn(): Promise<void> {
  turnPassed ??= new Promise<void>((resolve) => {
    resolveTurn = resolve;
  });
  return turnPassed;
}

/** The queue feeding one input pin. Any number of links (fan-in) push into it; one node reads it. */
export class InputChannel implements Receiver {
  readonly capacity: number;
  private readonly ring: (Packet | undefined)[];
  private readonly mask: number;
  private head = 0;
  size = 0;
  /** Links currently attached. */
  openLinks = 0;
  /** Set once an upstream ended its stream; with no open link left the channel then yields EOS. */
  private sealed = false;
  readerClosed = false;
  private recvWaiter: Resolve<Packet | Eos> | null = null;
  private readableWaiter: Resolve<void> | null = null;
  private readablePromise: Promise<void> | null = null;
  private writerWaiters: Resolve<void>[] = [];

  constructor(
    capacity: number,
    private readonly meter: NodeMeter,
    /** Oneshot graphs are wired once: the channel is sealed from the start, so no link means EOS. */
    sealed = false,
  ) {
    this.capacity = Math.max(1, capacity | 0);
    let storage = 1;
    while (storage < this.capacity) storage <<= 1;
    this.ring = new Array<Packet | undefined>(storage).fill(undefined);
    this.mask = storage - 1;
    this.sealed = sealed;
  }

  get queued(): number {
    return this.size;
  }

  get ended(): boolean {
    return this.readerClosed || (this.sealed && this.openLinks === 0 && this.size === 0);
  }

  tryRecv(): Packet | Eos | undefined {
    if (this.size > 0) {
      if (overBudget()) return undefined;
      const p = this.ring[this.head] as Packet;
      this.ring[this.head] = undefined;
      this.head = (this.head + 1) & this.mask;
      this.size--;
      this.meter.stats.received++;
      if (progress !== undefined) progress[0]++;
      if (this.writerWaiters.length > 0 && this.size <= this.capacity >> 1) this.wakeWriters();
      return p;
    }
    if (this.ended) return EOS;
    return undefined;
  }

  recv(): Promise<Packet | Eos> {
    const p = this.tryRecv();
    if (p !== undefined) return Promise.resolve(p);
    if (this.size > 0) return this.afterTurn().then(() => this.recv());
    this.meter.beginWait();
    return new Promise<Packet | Eos>((resolve) => {
      this.recvWaiter = resolve;
    });
  }

  waitReadable(): Promise<void> {
    if (this.size > 0 && yielding) return this.afterTurn();
    if (this.size > 0 || this.ended) return Promise.resolve();
    if (this.readablePromise === null) {
      this.meter.beginWait();
      this.readablePromise = new Promise<void>((resolve) => {
        this.readableWaiter = resolve;
      });
    }
    return this.readablePromise;
  }

  /** Data waits, but the turn's budget is spent: resume once the event loop turned (not counted as busy). */
  private async afterTurn(): Promise<void> {
    this.meter.beginWait();
    await nextTurn();
    this.meter.endWait();
  }

  /** Caller checked `size < capacity` (or accepts overflow for a best-effort drop decision upstream). */
  push(p: Packet): void {
    const w = this.recvWaiter;
    if (w !== null) {
      this.recvWaiter = null;
      this.meter.stats.received++;
      if (progress !== undefined) progress[0]++;
      this.meter.endWait();
      w(p);
      return;
    }
    this.ring[(this.head + this.size) & this.mask] = p;
    this.size++;
    if (this.readableWaiter !== null) this.wakeReadable();
  }

  /** Resolves once there is room (low watermark), the reader is gone, or the link set changed. */
  waitForRoom(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.writerWaiters.push(resolve);
    });
  }

  attachLink(): void {
    this.openLinks++;
  }

  /** A link goes away: `endOfStream` when its upstream finished normally, else a plain detach. */
  detachLink(endOfStream: boolean): void {
    this.openLinks--;
    if (endOfStream) this.sealed = true;
    this.wakeWriters();
    this.checkEnded();
  }

  /** Mark the channel as ended once its current links are gone (oneshot inputs, test harness inputs). */
  seal(): void {
    this.sealed = true;
    this.checkEnded();
  }

  /** The reading node is gone: drop what is queued, release blocked writers and the reader. */
  closeReader(): void {
    if (this.readerClosed) return;
    this.readerClosed = true;
    while (this.size > 0) {
      this.ring[this.head] = undefined;
      this.head = (this.head + 1) & this.mask;
      this.size--;
      this.meter.stats.discarded++;
    }
    this.wakeWriters();
    this.checkEnded();
  }

  private checkEnded(): void {
    if (!this.ended) return;
    const w = this.recvWaiter;
    if (w !== null) {
      this.recvWaiter = null;
      this.meter.endWait();
      w(EOS);
    }
    if (this.readableWaiter !== null) this.wakeReadable();
  }

  private wakeReadable(): void {
    const w = this.readableWaiter as Resolve<void>;
    this.readableWaiter = null;
    this.readablePromise = null;
    this.meter.endWait();
    w();
  }

  /** Wake blocked writers so they re-check (room, closed reader, changed links, cancelled owner). */
  wakeWriters(): void {
    const ws = this.writerWaiters;
    if (ws.length === 0) return;
    this.writerWaiters = [];
    for (const w of ws) w();
  }
}

/** One connection `from_node.from_pin -> to_node.to_pin`, as wired at runtime. */
export class Link {
  /** Packets lost on this best-effort link because the downstream queue was full. */
  dropped = 0;
  attached = true;
  constructor(
    readonly fromNode: string,
    readonly fromPin: string,
    readonly toNode: string,
    readonly toPin: string,
    readonly mode: ConnectionMode,
    readonly channel: InputChannel,
  ) {
    channel.attachLink();
  }

  detach(endOfStream: boolean): void {
    if (!this.attached) return;
    this.attached = false;
    this.channel.detachLink(endOfStream);
  }
}

const RESOLVED_FALSE: Promise<boolean> = Promise.resolve(false);

/** The sender of one output pin: fans each packet out to every link (reliable waits, best-effort drops). */
export class OutputPort implements Sender {
  links: Link[] = [];
  private ownerClosed = false;

  constructor(
    private readonly meter: NodeMeter,
    /** In oneshot a pin whose readers are all gone is closed for good; in a session someone may connect later. */
    private readonly closeWhenUnread: boolean,
  ) {}

  get closed(): boolean {
    if (this.ownerClosed) return true;
    if (!this.closeWhenUnread) return false;
    for (const l of this.links) if (!l.channel.readerClosed) return false;
    return true;
  }

  /** The owning node is done (or cancelled): pending and future sends resolve false. */
  closeOwner(): void {
    this.ownerClosed = true;
    for (const l of this.links) l.channel.wakeWriters();
  }

  trySend(packet: Packet): boolean {
    const links = this.links;
    if (links.length === 1) {
      const ch = links[0].channel;
      if (ch.size < ch.capacity && !ch.readerClosed) {
        ch.push(packet);
        this.meter.stats.sent++;
        return true;
      }
    }
    if (this.ownerClosed) return false;
    if (this.blockedLink() !== undefined) return false;
    this.deliver(packet);
    return true;
  }

  send(packet: Packet): undefined | Promise<boolean> {
    const links = this.links;
    if (links.length === 1) {
      const ch = links[0].channel;
      if (ch.size < ch.capacity && !ch.readerClosed) {
        ch.push(packet);
        this.meter.stats.sent++;
        return undefined;
      }
    }
    if (this.ownerClosed) return RESOLVED_FALSE;
    if (this.closeWhenUnread && this.closed) return RESOLVED_FALSE;
    if (this.blockedLink() === undefined) {
      this.deliver(packet);
      return undefined;
    }
    return this.sendWhenRoom(packet);
  }

  private async sendWhenRoom(packet: Packet): Promise<boolean> {
    this.meter.beginWait();
    try {
      for (;;) {
        const blocked = this.blockedLink();
        if (blocked === undefined) break;
        await blocked.channel.waitForRoom();
        if (this.ownerClosed) return false;
      }
    } finally {
      this.meter.endWait();
    }
    if (this.closeWhenUnread && this.closed) return false;
    this.deliver(packet);
    return true;
  }

  /** The first reliable link whose live queue is full, if any. */
  private blockedLink(): Link | undefined {
    for (const l of this.links) {
      const ch = l.channel;
      if (l.mode === 'reliable' && !ch.readerClosed && ch.size >= ch.capacity) return l;
    }
    return undefined;
  }

  private deliver(packet: Packet): void {
    const stats = this.meter.stats;
    stats.sent++;
    const links = this.links;
    if (links.length === 0) {
      stats.discarded++;
      return;
    }
    // Several readers get the same object: none of them may write into it.
    if (links.length > 1 && packet.kind === 'audio' && packet.owned === true) packet.owned = false;
    let alive = 0;
    for (let i = 0; i < links.length; i++) {
      const l = links[i];
      const ch = l.channel;
      if (ch.readerClosed) continue;
      alive++;
      if (ch.size < ch.capacity) ch.push(packet);
      else {
        l.dropped++;
        stats.discarded++;
      }
    }
    // Every reader is gone (e.g. a failed node in a session): the packet went nowhere.
    if (alive === 0) stats.discarded++;
  }
}
