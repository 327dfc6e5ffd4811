export * from './model/source.js';
export * from './model/addr.js';
export * from './model/iptables.js';
export * from './model/host.js';
export * from './model/packet.js';
