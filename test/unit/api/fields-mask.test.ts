import { describe, expect, it } from 'vitest';
import { applyFields, FieldsSyntaxError, parseFields } from '../../../src/api/fields-mask.js';

const state = { name: 'archiveJobs/x/portabilityArchiveState', state: 'COMPLETE', urls: ['a', 'b'], exportTime: 't' };

describe('fields mask', () => {
  it('selects top-level fields', () => {
    expect(applyFields(state, parseFields('state,urls'))).toEqual({ state: 'COMPLETE', urls: ['a', 'b'] });
  });
  it('selects nested fields with / and ( )', () => {
    const v = { error: { code: 1, message: 'm', details: [{ reason: 'r', domain: 'd' }] } };
    expect(applyFields(v, parseFields('error/code'))).toEqual({ error: { code: 1 } });
    expect(applyFields(v, parseFields('error(message,details/reason)'))).toEqual({ error: { message: 'm', details: [{ reason: 'r' }] } });
  });
  it('* selects everything at its level; absent fields are simply absent', () => {
    expect(applyFields(state, parseFields('*'))).toEqual(state);
    expect(applyFields(state, parseFields('startTime,state'))).toEqual({ state: 'COMPLETE' });
  });
  it('rejects malformed selections', () => {
    for (const bad of ['state(', 'a,,b', '(a)', 'a/']) expect(() => parseFields(bad), bad).toThrow(FieldsSyntaxError);
  });
});
