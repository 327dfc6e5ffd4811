import { describe, expect, it } from 'vitest';
import { parseIpv4 } from '../../src/model/addr.js';
import { arrivalSender, farEnd, linkAt } from '../../src/model/topology.js';
import { host, world } from '../engine/build.js';

const w = world(
  [
    host('client', { ifaces: { eth0: ['10.0.1.2/24'] } }),
    host('r', { ifaces: { eth0: ['10.0.1.1/24'], eth1: ['10.0.2.1/24'], eth2: ['192.0.2.1/24'] } }),
    host('srv', { ifaces: { eth0: ['10.0.2.2/24'] } }),
  ],
  [['client:eth0', 'r:eth0'], ['r:eth1', 'srv:eth0']],
);

describe('topology questions', () => {
  it('finds a link from either end, and its other end', () => {
    expect(linkAt(w, 'r', 'eth0')).toBe(w.links[0]);
    expect(linkAt(w, 'client', 'eth0')).toBe(w.links[0]);
    expect(farEnd(w, 'r', 'eth1')).toEqual({ host: 'srv', iface: 'eth0' });
    expect(farEnd(w, 'srv', 'eth0')).toEqual({ host: 'r', iface: 'eth1' });
    expect(linkAt(w, 'r', 'eth2')).toBeUndefined();
    expect(farEnd(w, 'r', 'eth2')).toBeUndefined();
  });

  it('names the neighbour that sends an arriving packet only when the source is its own address', () => {
    expect(arrivalSender(w, 'r', 'eth0', parseIpv4('10.0.1.2')!)?.name).toBe('client');
    // a source behind the neighbour (not one of its addresses) comes from outside the world
    expect(arrivalSender(w, 'r', 'eth0', parseIpv4('10.0.1.9')!)).toBeUndefined();
    // the far end's address on another interface still belongs to it
    expect(arrivalSender(w, 'client', 'eth0', parseIpv4('10.0.2.1')!)?.name).toBe('r');
    // no link: nobody modelled sends it
    expect(arrivalSender(w, 'r', 'eth2', parseIpv4('192.0.2.7')!)).toBeUndefined();
  });
});
