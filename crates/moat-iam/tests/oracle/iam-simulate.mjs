#!/usr/bin/env node
// Oracle for the IAM differential tests (crates/moat-iam/tests/differential.rs): runs requests in
// moat's own format through `@cloud-copilot/iam-simulate`, an independent implementation of AWS's
// policy evaluation logic, and prints its decisions.
//
// This file is moat's own code. iam-simulate is AGPL-3.0: it is never copied or vendored; it is
// installed outside the repository by `.ci/install-peers` (pinned, into
// $HOME/.cache/moat-peers/iam-simulate) and only called, as a separate process, at test time.
//
// Input (stdin): one JSON request a line, in the format of docs/CONTRACTS.md, "moat iam simulate
// --input" (keys identity, resource_policy, boundary, session_policy, scps, rcps, principal,
// action, resource, resource_account, context). Blank lines are skipped.
// Output (stdout): one JSON line per request, in order:
//   {"decision": "allow" | "explicit_deny" | "implicit_deny"}            the simulation ran
//     plus "ignored_context_keys": [...] when iam-simulate dropped context keys (see below), and
//     "result_type": "wildcard" when it split the request over resource patterns;
//   {"error": {"message": ..., ...}}                                       it refused the request
//     (its validation errors as it reports them) or the request could not be translated.
//
// Where iam-simulate is found: $MOAT_IAM_SIMULATE_DIR (an npm prefix holding
// node_modules/@cloud-copilot/iam-simulate), else $HOME/.cache/moat-peers/iam-simulate.
//
// The translation, and what iam-simulate 0.1.173 needs (found by running it, see
// docs/IAM-PARITY.md):
// - identity[i]        -> identityPolicies [{name: "identity[i]", policy}]. It rejects a
//                         Principal element in an identity policy (error).
// - resource_policy    -> resourcePolicy. A statement without Principal matches no one.
// - boundary           -> permissionBoundaryPolicies [{name: "boundary", policy}].
// - session_policy     -> sessionPolicy. It accepts one only for role sessions, federated users
//                         and roles; for an IAM user principal it answers the error
//                         `session.policy.invalid.principal`.
// - scps[level][j]     -> serviceControlPolicies [{orgIdentifier: "scps[level]", policies}], root
//                         first as in our format. Every level must allow (an empty level denies),
//                         as in ours. It rejects a Principal element in an SCP.
// - rcps[level][j]     -> resourceControlPolicies likewise. iam-simulate always adds AWS's
//                         RCPFullAWSAccess to every level itself and rejects any RCP statement
//                         that is not a Deny with Principal "*" and an Action other than "*"
//                         (no NotAction). Our format states RCPFullAWSAccess explicitly (every
//                         level must allow, as for SCPs), so the oracle drops the statements that
//                         are exactly RCPFullAWSAccess ({Effect: Allow, Principal: "*",
//                         Action: "*", Resource: "*"}, no Condition) and answers an error for a
//                         level that lacks it (iam-simulate cannot express a level that does not
//                         allow everything).
// - principal          -> request.principal (an ARN string). iam-simulate takes a role ARN
//                         (`arn:aws:iam::A:role/R`) as the role itself, and a session ARN
//                         (`arn:aws:sts::A:assumed-role/R/S`) as a role session: a resource
//                         policy naming the role matches both, one naming the session only the
//                         session. It does not fill context keys from the principal
//                         (aws:PrincipalArn, aws:PrincipalAccount, aws:username...): the request
//                         must carry them, as the generator does.
// - action             -> request.action. It must exist in iam-data (`invalid.action` otherwise;
//                         case-insensitive).
// - resource           -> request.resource.resource. It must be of a resource type the action
//                         applies to (`no.resource.types`), and "*" exactly for actions without a
//                         resource type (`must.use.wildcard`). A resource with a wildcard is split
//                         over the patterns of the policies ("wildcard" result): moat's requests
//                         name one resource, so the generator never sends one.
// - resource_account   -> request.resource.accountId, with our default: the account in the
//                         resource ARN (5th field), else the principal's (5th field of its ARN).
//                         The request is cross-account when it differs from the principal's.
// - context            -> request.contextVariables: strings and arrays of strings as they are;
//                         numbers and booleans are turned into strings (AWS's request context
//                         holds strings). iam-simulate drops ("ignores") the keys that do not
//                         apply to the action and resource type (service keys of other actions,
//                         aws:ResourceTag/* on a resource type without tags, unknown keys); all
//                         global aws:* keys are kept. Dropped keys are reported as
//                         "ignored_context_keys" because they change the request: the harness does
//                         not compare such a case.
// - the decision       -> Allowed / ExplicitlyDenied / ImplicitlyDenied become allow /
//                         explicit_deny / implicit_deny. Simulation mode is "Strict" (the request is
//                         evaluated exactly as given).

import { createRequire } from 'node:module'
import { createInterface } from 'node:readline'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import os from 'node:os'

const prefix =
  process.env.MOAT_IAM_SIMULATE_DIR || path.join(os.homedir(), '.cache', 'moat-peers', 'iam-simulate')
const requireFromPrefix = createRequire(path.join(prefix, 'package.json'))
let sim
try {
  sim = requireFromPrefix('@cloud-copilot/iam-simulate')
} catch (e) {
  process.stderr.write(`iam-simulate not found under ${prefix}: ${e.message}\n`)
  process.exit(3)
}

if (process.argv.includes('--version')) {
  // The package does not export its package.json: read it from the prefix's node_modules.
  const file = path.join(prefix, 'node_modules', '@cloud-copilot', 'iam-simulate', 'package.json')
  process.stdout.write(`${JSON.parse(readFileSync(file, 'utf8')).version}\n`)
  process.exit(0)
}

const DECISIONS = {
  Allowed: 'allow',
  ExplicitlyDenied: 'explicit_deny',
  ImplicitlyDenied: 'implicit_deny'
}

class Untranslatable extends Error {}

// The account of an ARN (5th colon-separated field), when it is one.
function arnAccount(arn) {
  if (typeof arn !== 'string') return undefined
  const parts = arn.split(':')
  if (parts.length < 6 || parts[0] !== 'arn') return undefined
  return /^[0-9]{12}$/.test(parts[4]) ? parts[4] : undefined
}

function asArray(v) {
  if (v === undefined || v === null) return []
  return Array.isArray(v) ? v : [v]
}

function isRcpFullAwsAccess(st) {
  return (
    st &&
    st.Effect === 'Allow' &&
    st.Principal === '*' &&
    asArray(st.Action).length === 1 &&
    asArray(st.Action)[0] === '*' &&
    asArray(st.Resource).length === 1 &&
    asArray(st.Resource)[0] === '*' &&
    st.Condition === undefined &&
    st.NotAction === undefined &&
    st.NotResource === undefined &&
    st.NotPrincipal === undefined
  )
}

// One level of RCPs in our format -> iam-simulate's, without the explicit RCPFullAWSAccess.
function rcpLevel(level, i) {
  let hasFullAccess = false
  const policies = asArray(level).map((policy, j) => {
    const statements = asArray(policy.Statement)
    const kept = statements.filter((st) => {
      if (isRcpFullAwsAccess(st)) {
        hasFullAccess = true
        return false
      }
      return true
    })
    return { name: `rcps[${i}][${j}]`, policy: { ...policy, Statement: kept } }
  })
  if (!hasFullAccess) {
    throw new Untranslatable(
      `rcps[${i}] does not hold RCPFullAWSAccess; iam-simulate always applies it to every level`
    )
  }
  // A policy left without statements is not a valid policy for iam-simulate: leave it out.
  return {
    orgIdentifier: `rcps[${i}]`,
    policies: policies.filter((p) => p.policy.Statement.length > 0)
  }
}

function contextVariables(context) {
  const out = {}
  for (const [k, v] of Object.entries(context || {})) {
    if (Array.isArray(v)) out[k] = v.map((x) => String(x))
    else if (v !== null && v !== undefined) out[k] = String(v)
  }
  return out
}

function translate(req) {
  if (typeof req !== 'object' || req === null || Array.isArray(req)) {
    throw new Untranslatable('a request is a JSON object')
  }
  for (const k of ['principal', 'action', 'resource']) {
    if (typeof req[k] !== 'string') throw new Untranslatable(`\`${k}\` is required`)
  }
  const principalAccount = arnAccount(req.principal)
  const accountId = req.resource_account || arnAccount(req.resource) || principalAccount
  if (!accountId) throw new Untranslatable('no resource account: none given, none in the ARNs')
  const simulation = {
    request: {
      principal: req.principal,
      action: req.action,
      resource: { resource: req.resource, accountId },
      contextVariables: contextVariables(req.context)
    },
    identityPolicies: asArray(req.identity).map((policy, i) => ({ name: `identity[${i}]`, policy })),
    serviceControlPolicies: asArray(req.scps).map((level, i) => ({
      orgIdentifier: `scps[${i}]`,
      policies: asArray(level).map((policy, j) => ({ name: `scps[${i}][${j}]`, policy }))
    })),
    resourceControlPolicies: asArray(req.rcps).map(rcpLevel)
  }
  if (req.resource_policy) simulation.resourcePolicy = req.resource_policy
  if (req.boundary) simulation.permissionBoundaryPolicies = [{ name: 'boundary', policy: req.boundary }]
  if (req.session_policy) simulation.sessionPolicy = req.session_policy
  return simulation
}

async function decide(line) {
  let req
  try {
    req = JSON.parse(line)
  } catch (e) {
    return { error: { message: 'input.not.json', detail: e.message } }
  }
  let simulation
  try {
    simulation = translate(req)
  } catch (e) {
    if (e instanceof Untranslatable) return { error: { message: 'untranslatable', detail: e.message } }
    throw e
  }
  let result
  try {
    result = await sim.runSimulation(simulation, { simulationMode: 'Strict' })
  } catch (e) {
    return { error: { message: 'exception', detail: String(e && e.message ? e.message : e) } }
  }
  if (result.resultType === 'error') return { error: result.errors }
  const decision = DECISIONS[result.overallResult]
  if (!decision) return { error: { message: 'unknown.result', detail: result.overallResult } }
  const out = { decision }
  if (result.resultType === 'wildcard') {
    out.result_type = 'wildcard'
  } else {
    const ignored = result.result && result.result.ignoredContextKeys
    if (ignored && ignored.length > 0) out.ignored_context_keys = ignored
  }
  return out
}

const rl = createInterface({ input: process.stdin, crlfDelay: Infinity })
for await (const line of rl) {
  if (line.trim() === '') continue
  const out = await decide(line)
  process.stdout.write(JSON.stringify(out) + '\n')
}
