// Pure helpers of www/src, in Node (no browser): expected values written by hand. Defanging is the core's
// (`defang` op), tested in core and through every host's golden answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attackUrl } from '../src/dom.js';
import { normalizeServer } from '../src/settings.js';

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
