#!/usr/bin/env node
// Checks every KQL query ioclens generates with Microsoft's Kusto.Language (npm
// @kusto/language-service-next, pinned in package.json) against data/sentinel_schemas.json.
//
//   node tests/kql/kqlcheck.js data/sentinel_schemas.json target/query-matrix.json
//
// The matrix is written by `cargo test -p ioclens-core --test query_snapshots -- --ignored --exact dump_matrix`. One Node
// process checks every query (schema build is the slow part, ~5 s). Exit code 1 on any Error diagnostic
// or Warning KS205 (unknown table inside `union isfuzzy=true`, which the service only warns about).
'use strict';
const fs = require('fs');
const path = require('path');

require('@kusto/language-service-next/bridge.min.js');
require('@kusto/language-service-next/Kusto.Language.Bridge.min.js');
/* global Kusto */
const K = Kusto.Language;
const Sym = K.Symbols;

const [schemaPath, matrixPath] = process.argv.slice(2);
if (!schemaPath || !matrixPath) {
  console.error('usage: kqlcheck.js SCHEMA.json MATRIX.json');
  process.exit(2);
}
const schema = JSON.parse(fs.readFileSync(schemaPath, 'utf8'));
const matrix = JSON.parse(fs.readFileSync(matrixPath, 'utf8'));

// Defender XDR tables carry both TimeGenerated (Sentinel copy) and Timestamp (Defender portal);
// the schema file lists the Sentinel columns only (see its _meta.notes), so Timestamp is added here.
const DEFENDER = /^(Device|Email|UrlClickEvents|CloudAppEvents|Identity|Alert)/;
const cols = (c) => '(' + Object.entries(c).map(([n, t]) => `['${n.replace(/'/g, "\\'")}']:${t}`).join(', ') + ')';

const members = [];
for (const [name, c] of Object.entries(schema.tables)) {
  const columns = DEFENDER.test(name) && !('Timestamp' in c) ? { ...c, Timestamp: 'datetime' } : c;
  members.push(new Sym.TableSymbol.$ctor7(name, cols(columns), null));
}
for (const [name, f] of Object.entries(schema.functions)) {
  const d = f.same_as ? schema.functions[f.same_as] : f;
  members.push(new Sym.FunctionSymbol.$ctor16(name, d.parameters, `{ datatable${cols(d.columns)}[] }`, null));
}
// Sentinel's built-in watchlist function (learn.microsoft.com "Use watchlists in Microsoft Sentinel"):
// _GetWatchlist(alias) returns SearchKey plus the row as the dynamic WatchlistItem.
members.push(new Sym.FunctionSymbol.$ctor16('_GetWatchlist', '(watchlistAlias:string)',
  `{ datatable(['_DTItemId']:string, ['LastUpdatedTimeUTC']:datetime, ['SearchKey']:string, ['WatchlistItem']:dynamic)[] }`, null));
const globals = K.GlobalState.Default.WithDatabase(new Sym.DatabaseSymbol.$ctor2('SentinelWorkspace', null, members));

// Queries that differ only in plain indicator literals bind identically: the parser's verdict on a string
// literal does not depend on letters, digits and URL punctuation. Such lists are folded to one key so each
// query shape is analysed once; any list holding a quote, backslash, backtick or other character is kept
// verbatim, so every hostile value is still parsed as generated.
const PLAIN_LIST = /dynamic\(\[(?:"[A-Za-z0-9._:\/@%?=&+~#, -]*"(?:, )?)*\]\)/g;
const shapeKey = (q) => q.replace(PLAIN_LIST, 'dynamic(["…"])');

const started = Date.now();
const seen = new Map();
let failures = 0;
let checked = 0;
for (const e of matrix) {
  if (e.target !== 'kql') continue;
  const key = shapeKey(e.query);
  if (seen.has(key)) continue;
  seen.set(key, true);
  checked++;
  const code = K.KustoCode.ParseAndAnalyze(e.query, globals);
  const diags = code.GetDiagnostics();
  const bad = [];
  for (let i = 0; i < diags.Count; i++) {
    const d = diags.getItem(i);
    if (d.Severity === 'Error' || d.Code === 'KS205') bad.push(d);
  }
  if (bad.length) {
    failures++;
    if (failures <= 20) {
      console.log(`FAIL ${e.case} / ${e.profile} / ${e.type} / ${e.title}`);
      for (const d of bad) {
        const snippet = e.query.substr(Math.max(0, d.Start - 30), d.Length + 60).replace(/\n/g, '⏎');
        console.log(`  ${d.Severity} ${d.Code} @${d.Start}: ${d.Message}\n    …${snippet}…`);
      }
    }
  }
}
const secs = ((Date.now() - started) / 1000).toFixed(1);
console.log(`kqlcheck: ${checked} distinct KQL query shapes (of ${matrix.filter((e) => e.target === 'kql').length} queries), ${failures} failing, ${secs} s`);
if (checked === 0) {
  console.log('kqlcheck: no KQL query in the matrix');
  process.exit(1);
}
// Self-test: the checker must reject known-bad queries (so a silent pass means something).
const negatives = [
  'CommonSecurityLog | where DstIP == "x"',
  'DnsEvents | where Name == "evil.com',
  'union isfuzzy=true (DnsEventz | where TimeGenerated > ago(1d)), (DnsEvents | where TimeGenerated > ago(1d))',
  '_Im_Dns(starttime=ago(1d), domains=dynamic(["x"]))',
  'DnsEvents | where Name has "http://x.test/a*b\\c"',
];
for (const q of negatives) {
  const diags = K.KustoCode.ParseAndAnalyze(q, globals).GetDiagnostics();
  let hit = false;
  for (let i = 0; i < diags.Count; i++) {
    const d = diags.getItem(i);
    if (d.Severity === 'Error' || d.Code === 'KS205') hit = true;
  }
  if (!hit) {
    console.log(`self-test FAIL: accepted ${q}`);
    failures++;
  }
}
process.exit(failures ? 1 : 0);
