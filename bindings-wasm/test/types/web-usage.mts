// Compiled by test/types.test.js: the browser entry point (js/web.mjs) is typed too.
import init, { initSync, Policy } from '../../js/web.mjs'
import type { Decision } from '../../js/web.mjs'
await init()
const d: Decision = Policy.fromText('x').check({ a: 1 })
console.log(d.verdict, initSync)
