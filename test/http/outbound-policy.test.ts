import { describe, expect, it } from 'vitest';
import { OutboundPolicy, type OutboundRules } from '../../src/http/outbound-policy.js';

/** Pure checks of addresses: no connection is opened, no name resolved. */
function policy(rules: Partial<OutboundRules> = {}): OutboundPolicy {
  return new OutboundPolicy({ denyCidrs: [], allowCidrs: [], denyHosts: [], allowHosts: [], ...rules });
}

describe('the outbound policy', () => {
  it.each([
    ['169.254.169.254', 'the metadata endpoint of AWS, GCP, Azure, OpenStack'],
    ['169.254.170.2', 'the ECS task metadata endpoint'],
    ['100.100.100.200', "Alibaba's metadata endpoint"],
    ['fd00:ec2::254', "AWS's IPv6 metadata endpoint"],
    ['fe80::1', 'IPv6 link-local'],
    ['127.0.0.1', 'loopback'],
    ['127.1.2.3', 'loopback, anywhere in 127/8'],
    ['::1', 'IPv6 loopback'],
    ['0.0.0.0', '"this host"'],
    ['::', 'the IPv6 unspecified address'],
    ['::ffff:169.254.169.254', 'the metadata address, IPv4-mapped'],
    ['::ffff:a9fe:a9fe', 'the metadata address, IPv4-mapped in hex'],
    ['::ffff:7f00:1', 'loopback, IPv4-mapped in hex'],
  ])('denies %s by default (%s)', (address) => {
    expect(policy().refusal(address, address)).toMatch(/^refused by the outbound policy: .* denied by default \(a platform admin may allow it with --outbound-allow-cidrs\)$/);
  });

  it.each(['10.0.0.7', '192.168.1.1', '172.16.0.1', '8.8.8.8', '2001:db8::1', '100.64.0.1'])('allows %s by default', (address) => {
    expect(policy().refusal(address, address)).toBeUndefined();
  });

  it('denies a name by the address it resolved to, naming both', () => {
    expect(policy().refusal('metadata.internal.example', '169.254.169.254')).toContain('metadata.internal.example (169.254.169.254) is loopback, link-local or a cloud metadata address');
  });

  it("denies GCP's metadata name whatever it resolves to", () => {
    expect(policy().refusal('metadata.google.internal', '10.1.2.3')).toBe('refused by the outbound policy: host metadata.google.internal is denied (a cloud metadata name, denied by default)');
    expect(policy().refusal('Metadata.Google.Internal.', '10.1.2.3')).toContain('denied');
  });

  it('lets --outbound-allow-cidrs open a default-denied range, and --outbound-deny-cidrs close part of it again', () => {
    const p = policy({ allowCidrs: ['127.0.0.0/8'], denyCidrs: ['127.0.0.2/32'] });
    expect(p.refusal('127.0.0.1', '127.0.0.1')).toBeUndefined();
    expect(p.refusal('127.0.0.2', '127.0.0.2')).toBe('refused by the outbound policy: 127.0.0.2 is in --outbound-deny-cidrs');
    // Allowing loopback does not allow the metadata range.
    expect(p.refusal('169.254.169.254', '169.254.169.254')).toContain('denied by default');
  });

  it('denies configured ranges, IPv4 and IPv6', () => {
    const p = policy({ denyCidrs: ['10.0.0.0/8', 'fd00::/8'] });
    expect(p.refusal('10.96.0.1', '10.96.0.1')).toContain('--outbound-deny-cidrs');
    expect(p.refusal('fd12::1', 'fd12::1')).toContain('--outbound-deny-cidrs');
    expect(p.refusal('11.0.0.1', '11.0.0.1')).toBeUndefined();
  });

  it('denies hosts by name and by *.domain; a denied host stays denied even when also allowed', () => {
    const p = policy({ denyHosts: ['internal.example', '*.corp.example'], allowHosts: ['internal.example'] });
    expect(p.refusal('internal.example', '203.0.113.1')).toBe('refused by the outbound policy: host internal.example is denied (--outbound-deny-hosts)');
    expect(p.refusal('db.corp.example', '203.0.113.1')).toContain('--outbound-deny-hosts');
    expect(p.refusal('corp.example', '203.0.113.1')).toBeUndefined();
  });

  it('lets an allowed host through whatever it resolves to: an allow-list is a deny of everything plus allowed hosts', () => {
    const p = policy({ denyCidrs: ['0.0.0.0/0', '::/0'], allowHosts: ['prometheus.monitoring.svc', '*.hooks.example'] });
    expect(p.refusal('prometheus.monitoring.svc', '10.96.4.4')).toBeUndefined();
    expect(p.refusal('ci.hooks.example', '10.0.0.9')).toBeUndefined();
    expect(p.refusal('elsewhere.example', '203.0.113.9')).toContain('--outbound-deny-cidrs');
  });

  it('checks a literal address in a URL host, brackets and all; names are left to the resolver', () => {
    const p = policy();
    expect(p.literalRefusal('169.254.169.254')).toContain('refused');
    expect(p.literalRefusal('[::1]')).toContain('refused');
    expect(p.literalRefusal('hooks.example')).toBeUndefined();
  });

  it('refuses a malformed entry at start-up, naming the flag', () => {
    expect(() => policy({ denyCidrs: ['10.0.0.0'] })).toThrow('--outbound-deny-cidrs: "10.0.0.0" is not a CIDR range');
    expect(() => policy({ allowCidrs: ['10.0.0.0/33'] })).toThrow('--outbound-allow-cidrs: "10.0.0.0/33" is not a CIDR range');
    expect(() => policy({ denyHosts: ['http://x'] })).toThrow('--outbound-deny-hosts: "http://x" is not a host name');
  });
});
