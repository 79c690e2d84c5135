// Pure helpers of www/src, in Node (no browser): expected values written by hand from the core's documented
// rules (normalize::defang: http → hxxp, https → hxxps, ftp → fxp, dots of the host/domain/IPv4 → [.], @ → [@]).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attackUrl, defang } from '../src/dom.js';
import { normalizeServer } from '../src/settings.js';

test('defang follows the core rules', () => {
  assert.equal(defang('https://evil.com/gate.php'), 'hxxps://evil[.]com/gate.php');
  assert.equal(defang('http://a.b.example:8080/x.php?q=1.2'), 'hxxp://a[.]b[.]example:8080/x.php?q=1.2');
  assert.equal(defang('ftp://files.example.net/a.zip'), 'fxp://files[.]example[.]net/a.zip');
  assert.equal(defang('user@mail.example.com'), 'user[@]mail[.]example[.]com');
  assert.equal(defang('185.220.101.4'), '185[.]220[.]101[.]4');
  assert.equal(defang('evil-updates.com'), 'evil-updates[.]com');
  assert.equal(defang('2001:db8::1'), '2001:db8::1');
  assert.equal(defang('44d88612fea8a8f36de82e1278abb02f'), '44d88612fea8a8f36de82e1278abb02f');
  assert.equal(defang('C:\\Windows\\evil.exe'), 'C:\\Windows\\evil.exe');
  // No TLD is numeric: ATT&CK sub-technique ids and version-like names stay; IPv4 is still defanged.
  assert.equal(defang('T1547.001'), 'T1547.001');
  assert.equal(defang('CVE-2021-44228'), 'CVE-2021-44228');
  assert.equal(defang('10.0.0.1'), '10[.]0[.]0[.]1');
  assert.equal(defang('host.1'), 'host.1');
});

test('ATT&CK links only for ATT&CK ids', () => {
  assert.equal(attackUrl('T1059.001'), 'https://attack.mitre.org/techniques/T1059/001/');
  assert.equal(attackUrl('T1071'), 'https://attack.mitre.org/techniques/T1071/');
  assert.equal(attackUrl('TA0011'), 'https://attack.mitre.org/tactics/TA0011/');
  assert.equal(attackUrl('G0007'), 'https://attack.mitre.org/groups/G0007/');
  assert.equal(attackUrl('S0367'), 'https://attack.mitre.org/software/S0367/');
  for (const bad of ['T1059.1', 'javascript:alert(1)', 'T10590', '"><img>', '']) assert.equal(attackUrl(bad), null);
});

test('server URL: origin and path only, never credentials or query', () => {
  assert.deepEqual(normalizeServer('  '), { server: '' });
  assert.deepEqual(normalizeServer('http://127.0.0.1:8080/'), { server: 'http://127.0.0.1:8080' });
  assert.deepEqual(normalizeServer('https://ioc.example.org/lens//'), { server: 'https://ioc.example.org/lens' });
  assert.ok(normalizeServer('ftp://x.example').error);
  assert.ok(normalizeServer('https://user:pw@x.example').error);
  assert.ok(normalizeServer('https://x.example/?api_key=1').error);
  assert.ok(normalizeServer('not a url').error);
});
