// Boot data every view needs: the role's permissions, node kinds and packet types. Loaded once before
// the routes render; failures are kept and shown rather than hidden.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api } from '../api/client';
import type { NodeDefinition, PacketTypeMeta, Permissions } from '../api/types';
import { capabilities, DENY_ALL, normalizePermissions, type Capabilities } from '../lib/permissions';
import type { DefinitionLookup } from '../lib/pins';

export interface AppData {
  role: string;
  permissions: Permissions;
  can: Capabilities;
  nodeDefs: NodeDefinition[];
  lookup: DefinitionLookup;
  packets: PacketTypeMeta[];
  /** Messages of boot requests that failed (empty when all loaded). */
  bootErrors: string[];
  reloadSchemas: () => Promise<void>;
}

const AppDataContext = createContext<AppData | null>(null);

export function useAppData(): AppData {
  const ctx = useContext(AppDataContext);
  if (!ctx) throw new Error('useAppData must be used inside <AppDataProvider>');
  return ctx;
}

interface Loaded {
  role: string;
  permissions: Permissions;
  nodeDefs: NodeDefinition[];
  packets: PacketTypeMeta[];
  bootErrors: string[];
}

export function buildAppData(loaded: Loaded, reloadSchemas: () => Promise<void>): AppData {
  const byKind = new Map(loaded.nodeDefs.map((d) => [d.kind, d]));
  return {
    ...loaded,
    can: capabilities(loaded.permissions),
    lookup: (kind) => byKind.get(kind),
    reloadSchemas,
  };
}

/** Provides fixed data (tests, stories). */
export function StaticAppDataProvider({ value, children }: { value: AppData; children: ReactNode }) {
  return <AppDataContext.Provider value={value}>{children}</AppDataContext.Provider>;
}

const errText = (what: string, e: unknown) => `${what}: ${e instanceof Error ? e.message : String(e)}`;

export function AppDataProvider({ children, fallback }: { children: ReactNode; fallback: ReactNode }) {
  const [loaded, setLoaded] = useState<Loaded | null>(null);

  const loadSchemas = useCallback(async () => {
    const [nodes, packets] = await Promise.allSettled([api.nodeSchemas(), api.packetTypes()]);
    return {
      nodeDefs: nodes.status === 'fulfilled' ? nodes.value : [],
      packets: packets.status === 'fulfilled' ? packets.value : [],
      errors: [
        ...(nodes.status === 'rejected' ? [errText('Node kinds', nodes.reason)] : []),
        ...(packets.status === 'rejected' ? [errText('Packet types', packets.reason)] : []),
      ],
    };
  }, []);

  useEffect(() => {
    let live = true;
    void (async () => {
      const [perm, schemas] = await Promise.all([
        api.permissions().then(
          (p) => ({ ok: true as const, value: normalizePermissions(p) }),
          (e: unknown) => ({ ok: false as const, error: errText('Permissions', e) }),
        ),
        loadSchemas(),
      ]);
      if (!live) return;
      setLoaded({
        role: perm.ok ? perm.value.role : 'unknown',
        permissions: perm.ok ? perm.value.permissions : DENY_ALL,
        nodeDefs: schemas.nodeDefs,
        packets: schemas.packets,
        bootErrors: [...(perm.ok ? [] : [perm.error]), ...schemas.errors],
      });
    })();
    return () => {
      live = false;
    };
  }, [loadSchemas]);

  const reloadSchemas = useCallback(async () => {
    const s = await loadSchemas();
    setLoaded((prev) => (prev ? { ...prev, nodeDefs: s.nodeDefs, packets: s.packets } : prev));
  }, [loadSchemas]);

  const value = useMemo(() => (loaded ? buildAppData(loaded, reloadSchemas) : null), [loaded, reloadSchemas]);
  if (!value) return <>{fallback}</>;
  return <AppDataContext.Provider value={value}>{children}</AppDataContext.Provider>;
}
