import { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { MediaSigner } from './media-signer.js';
import { presignS3Put } from './pictures.js';
import { joinWavs, parseWav, WavError } from './wav.js';

function wav(samples: number[], sampleRate = 16000): Buffer {
  const data = Buffer.alloc(samples.length * 2);
  samples.forEach((s, i) => data.writeInt16LE(s, i * 2));
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii'); h.writeUInt32LE(36 + data.length, 4); h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii'); h.writeUInt32LE(16, 16); h.writeUInt16LE(1, 20); h.writeUInt16LE(1, 22);
  h.writeUInt32LE(sampleRate, 24); h.writeUInt32LE(sampleRate * 2, 28); h.writeUInt16LE(2, 32); h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii'); h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

describe('joining an answer\'s WAV lines', () => {
  it('concatenates the samples of lines in one format, in order', () => {
    const joined = parseWav(joinWavs([wav([1, 2, 3]), wav([4, 5])]));
    expect(joined.format).toEqual({ audioFormat: 1, channels: 1, sampleRate: 16000, bitsPerSample: 16 });
    expect([...new Int16Array(joined.data.buffer.slice(joined.data.byteOffset, joined.data.byteOffset + joined.data.length))]).toEqual([1, 2, 3, 4, 5]);
  });

  it('refuses lines of different formats, and what is not a WAV', () => {
    expect(() => joinWavs([wav([1], 16000), wav([1], 22050)])).toThrow(WavError);
    expect(() => joinWavs([wav([1]), Buffer.from('ID3 not a wav')])).toThrow(WavError);
  });
});

describe('signed media URLs', () => {
  it('verify their own signature only, under a key derived from the secret', () => {
    const signer = new MediaSigner('a-secret-that-is-long-enough-0123456789');
    const sig = signer.sign('mp3:abc');
    expect(signer.check('mp3:abc', sig)).toBe(true);
    expect(signer.check('mp3:abd', sig)).toBe(false);
    expect(signer.check('mp3:abc', sig.slice(0, -1))).toBe(false);
    expect(signer.check('mp3:abc', undefined)).toBe(false);
    expect(new MediaSigner('another-secret-that-is-long-enough-0123').check('mp3:abc', sig)).toBe(false);
    expect(signer.mp3Path('abc')).toBe(`media/mp3/abc.mp3?sig=${sig}`);
  });
});

describe('S3 picture uploads', () => {
  const s3 = {
    client: new S3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' } }),
    bucket: 'livehost-assets', prefix: 'assets/',
  };

  it('presign a PUT of that one key for five minutes, with the picture type signed', async () => {
    const url = new URL(await presignS3Put(s3, 'assets/material/image/0123.jpg', 'image/jpeg'));
    expect(url.hostname).toBe('livehost-assets.s3.eu-west-1.amazonaws.com');
    expect(url.pathname).toBe('/assets/material/image/0123.jpg');
    const q = url.searchParams;
    expect(q.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(q.get('X-Amz-Credential')).toMatch(/^AKIDEXAMPLE\/\d{8}\/eu-west-1\/s3\/aws4_request$/);
    expect(q.get('X-Amz-Expires')).toBe('300');
    expect(q.get('X-Amz-SignedHeaders')!.split(';')).toEqual(expect.arrayContaining(['content-type', 'host']));
    expect(q.get('X-Amz-Signature')).toMatch(/^[a-f0-9]{64}$/);
  });

  it('sign the length too when the client names it, so S3 refuses any other size', async () => {
    const url = new URL(await presignS3Put(s3, 'assets/material/image/0123.png', 'image/png', 123_456));
    expect(url.searchParams.get('X-Amz-SignedHeaders')!.split(';')).toEqual(expect.arrayContaining(['content-length', 'content-type', 'host']));
  });
});
