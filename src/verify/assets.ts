import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Finding, finding } from './findings';
import { StackModel } from './stack';

/** Attributes that name a local file Terraform uploads. */
const FILE_ATTRIBUTES: Record<string, string> = {
  aws_lambda_function: 'filename',
  aws_lambda_layer_version: 'filename',
  aws_s3_object: 'source',
};

/**
 * Every local file the stack uploads exists beside it, and a function's `source_code_hash`
 * is the base64 SHA-256 of its zip (otherwise Lambda never sees a code change, or always does).
 */
export function checkAssets(stack: StackModel, stackDir: string): { findings: Finding[]; checked: number } {
  const findings: Finding[] = [];
  let checked = 0;
  for (const [type, attribute] of Object.entries(FILE_ATTRIBUTES)) {
    for (const block of stack.ofType(type)) {
      const file = block.body[attribute];
      if (typeof file !== 'string' || file.includes('${')) continue;
      checked++;
      const full = path.resolve(stackDir, file);
      if (!fs.existsSync(full)) {
        findings.push(finding('asset', block.address, attribute, `${file} does not exist in ${stackDir}`));
        continue;
      }
      const hash = block.body.source_code_hash;
      if (typeof hash === 'string' && !hash.includes('${')) {
        const actual = createHash('sha256').update(fs.readFileSync(full)).digest('base64');
        if (actual !== hash) findings.push(finding('asset', block.address, 'source_code_hash', `is ${hash}, but ${file} hashes to ${actual}`));
      }
    }
  }
  return { findings, checked };
}
