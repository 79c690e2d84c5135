// Compile-time check of the generated declarations (`tsc --noEmit -p .`): the exports accept and return the
// core's wire types. Never run, only type-checked.
import { classify, extract, version } from '../../dist/node/ioclens_wasm.js';
import type { Classified, Extraction, IocKind, VersionResponse } from '../../dist/node/ioclens_wasm.js';

const c: Classified = classify({ value: '8.8.8[.]8', type: 'ipv4' });
const kind: IocKind = c.type;
const scope: string | undefined = c.facts?.ip?.scope;
const x: Extraction = extract({ text: 'evil[.]com' });
const first: number = x.iocs.length > 0 ? (x.iocs[0].span?.start ?? 0) : 0;
const v: VersionResponse = version({});
const off: boolean = v.offline_intel;
// @ts-expect-error `value` is required
classify({});
// @ts-expect-error unknown field
extract({ text: 'a', bogus: 1 });
export { kind, scope, first, off };
