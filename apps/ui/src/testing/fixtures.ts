// Recorded server answers (schemas, packet types, permissions) and helpers to build app data from them.
import type { NodeDefinition, PacketTypeMeta, PermissionsResponse } from '../api/types';
import { buildAppData, type AppData } from '../state/app-data';
import admin from './fixtures/permissions-admin.json';
import viewer from './fixtures/permissions-viewer.json';
import nodes from './fixtures/schema-nodes.json';
import packets from './fixtures/schema-packets.json';

export const nodeDefs = nodes as unknown as NodeDefinition[];
export const packetTypes = packets as unknown as PacketTypeMeta[];
export const adminPermissions = admin as PermissionsResponse;
export const viewerPermissions = viewer as PermissionsResponse;

const byKind = new Map(nodeDefs.map((d) => [d.kind, d]));
export const lookup = (kind: string) => byKind.get(kind);

export function appData(perms: PermissionsResponse = adminPermissions): AppData {
  return buildAppData(
    { role: perms.role, permissions: perms.permissions, nodeDefs, packets: packetTypes, bootErrors: [] },
    async () => undefined,
  );
}
