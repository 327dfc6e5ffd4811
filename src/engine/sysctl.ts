/**
 * Sysctl values as the packet path reads them: a cached SysctlView per host (src/parse/sysctlView.ts holds
 * the kernel's combination rules and the fresh-namespace defaults). Every value says where it came from.
 */
import type { Host } from '../model/host.js';
import { CONF_NAMES, confKey, SysctlView, type ConfName, type SysctlValue } from '../parse/sysctlView.js';

export type { SysctlValue };

const views = new WeakMap<Host, SysctlView>();
const combined = new WeakMap<Host, Map<string, Map<string, { value: number; parts: SysctlValue[] }>>>();

export function sysctlView(host: Host): SysctlView {
  let v = views.get(host);
  if (!v) views.set(host, (v = new SysctlView(host.sysctl)));
  return v;
}

export function sysctlRead(host: Host, key: string): SysctlValue {
  return sysctlView(host).get(key);
}

/**
 * A per-interface setting combined with conf.all the way the kernel does (include/linux/inetdevice.h):
 * forwarding per device, rp_filter max(all, dev), the others all || dev. Cached: the world is immutable.
 */
export function confCombined(host: Host, iface: string, name: string): { value: number; parts: SysctlValue[] } {
  let perHost = combined.get(host);
  if (!perHost) combined.set(host, (perHost = new Map()));
  let m = perHost.get(iface);
  if (!m) perHost.set(iface, (m = new Map()));
  const k = name;
  let v = m.get(k);
  if (!v) {
    const view = sysctlView(host);
    if ((CONF_NAMES as readonly string[]).includes(name)) {
      const c = view.confValue(iface, name as ConfName);
      v = { value: c.value, parts: c.parts ?? [c] };
    } else {
      // Other IN_DEV_ORCONF() settings (proxy_arp, ...): all || dev, dev inherited from conf.default.
      const all = view.get(confKey('all', name));
      const own = host.sysctl?.values[confKey(iface, name)] !== undefined ? view.get(confKey(iface, name)) : view.get(confKey('default', name));
      v = { value: all.value || own.value ? 1 : 0, parts: [all, own] };
    }
    m.set(k, v);
  }
  return v;
}
