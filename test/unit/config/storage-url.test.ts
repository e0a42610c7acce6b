import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config.js';

const base = { DATAPORT_DATA_DIR: '/srv/dataport' };

describe('DATAPORT_STORAGE_URL', () => {
  it('unset → the local folder DATA_DIR/blobs; file:///x → that folder', () => {
    expect(loadConfig(base).storage).toEqual({ kind: 'fs', root: '/srv/dataport/blobs' });
    expect(loadConfig({ ...base, DATAPORT_STORAGE_URL: 'file:///var/archives' }).storage).toEqual({ kind: 'fs', root: '/var/archives' });
  });

  it('s3 with a custom endpoint → path-style, region from the URL, prefix normalised, keys from AWS_* variables', () => {
    const config = loadConfig({
      ...base,
      DATAPORT_STORAGE_URL: 's3://my-bucket/tenant-a?endpoint=http://127.0.0.1:7480/&region=eu-west-1',
      AWS_ACCESS_KEY_ID: 'AK',
      AWS_SECRET_ACCESS_KEY: 'SK',
    });
    expect(config.storage).toEqual({
      kind: 's3',
      bucket: 'my-bucket',
      prefix: 'tenant-a/',
      endpoint: 'http://127.0.0.1:7480',
      region: 'eu-west-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'AK', secretAccessKey: 'SK' },
    });
  });

  it('s3 on AWS itself → virtual-hosted addressing, AWS_REGION or us-east-1, the SDK chain for credentials', () => {
    expect(loadConfig({ ...base, DATAPORT_STORAGE_URL: 's3://archives', AWS_REGION: 'eu-central-1' }).storage).toMatchObject({
      bucket: 'archives',
      prefix: '',
      endpoint: undefined,
      region: 'eu-central-1',
      forcePathStyle: false,
      credentials: undefined,
    });
    expect(loadConfig({ ...base, DATAPORT_STORAGE_URL: 's3://archives' }).storage).toMatchObject({ region: 'us-east-1' });
  });

  it.each([
    ['s3://A_B', /not a valid bucket name/],
    ['s3://ok-bucket?endpoint=ftp://x', /endpoint must be http\(s\):\/\/host\[:port\]/],
    ['s3://ok-bucket?endpont=http://x', /unknown parameter\(s\) endpont/],
    ['s3://ok-bucket?forcePathStyle=yes', /forcePathStyle must be true or false/],
    ['gs://bucket', /expected s3:\/\/bucket/],
  ])('%s → a ConfigError naming DATAPORT_STORAGE_URL', (value, message) => {
    expect(() => loadConfig({ ...base, DATAPORT_STORAGE_URL: value })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, DATAPORT_STORAGE_URL: value })).toThrow(message);
    expect(() => loadConfig({ ...base, DATAPORT_STORAGE_URL: value })).toThrow(/DATAPORT_STORAGE_URL/);
  });

  it('only one of the two AWS keys → a ConfigError', () => {
    expect(() => loadConfig({ ...base, DATAPORT_STORAGE_URL: 's3://ok-bucket', AWS_ACCESS_KEY_ID: 'AK' })).toThrow(
      /set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/,
    );
  });
});
