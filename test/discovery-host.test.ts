import { describe, expect, it } from 'vitest';
import {
  OllamaHostError,
  connectableHost,
  formatHostUrl,
  parseHostValue,
  parseOllamaHost,
} from '../main/core/discovery/ollama-host.js';

describe('OLLAMA_HOST as Ollama reads it (envconfig.Host)', () => {
  // The cases of TestHost in Ollama's envconfig/config_test.go that Ollama accepts as given.
  it.each([
    ['', 'http://127.0.0.1:11434'],
    ['1.2.3.4', 'http://1.2.3.4:11434'],
    [':1234', 'http://:1234'],
    ['1.2.3.4:1234', 'http://1.2.3.4:1234'],
    ['example.com', 'http://example.com:11434'],
    ['example.com:1234', 'http://example.com:1234'],
    ['[::1]', 'http://[::1]:11434'],
    ['[::]', 'http://[::]:11434'],
    ['::1', 'http://[::1]:11434'],
    ['[::1]:1337', 'http://[::1]:1337'],
    [' 1.2.3.4 ', 'http://1.2.3.4:11434'],
    ['"1.2.3.4"', 'http://1.2.3.4:11434'],
    [' " 1.2.3.4 " ', 'http://1.2.3.4:11434'],
    ["'1.2.3.4'", 'http://1.2.3.4:11434'],
    ['http://1.2.3.4', 'http://1.2.3.4:80'],
    ['http://1.2.3.4:4321', 'http://1.2.3.4:4321'],
    ['https://1.2.3.4', 'https://1.2.3.4:443'],
    ['https://1.2.3.4:4321', 'https://1.2.3.4:4321'],
    ['https://example.com/ollama', 'https://example.com:443/ollama'],
    ['ollama.com', 'https://ollama.com:443'],
  ])('reads %j as %s', (value, expected) => {
    expect(formatHostUrl(parseOllamaHost(value))).toBe(expected);
  });

  it('trims trailing slashes and keeps a proxy path', () => {
    expect(formatHostUrl(parseOllamaHost('http://10.0.0.2:8080/ollama/'))).toBe('http://10.0.0.2:8080/ollama');
    expect(formatHostUrl(parseOllamaHost('http://10.0.0.2:8080/'))).toBe('http://10.0.0.2:8080');
  });
});

describe('a host as a client connects to it (ConnectableHost)', () => {
  it.each([
    ['0.0.0.0', 'http://127.0.0.1:11434'],
    ['0.0.0.0:1234', 'http://127.0.0.1:1234'],
    [':1234', 'http://127.0.0.1:1234'],
    ['[::]', 'http://[::1]:11434'],
    ['[::]:1234', 'http://[::1]:1234'],
    ['[::1]:1234', 'http://[::1]:1234'],
    ['https://0.0.0.0:4321', 'https://127.0.0.1:4321'],
    ['192.168.1.5', 'http://192.168.1.5:11434'],
    ['192.168.1.5:8080', 'http://192.168.1.5:8080'],
    ['localhost', 'http://127.0.0.1:11434'],
    ['LOCALHOST:9000', 'http://127.0.0.1:9000'],
    ['Studio.Local', 'http://studio.local:11434'],
    ['[0:0:0:0:0:0:0:1]:1337', 'http://[::1]:1337'],
    // Go trims stray brackets around a lone address, so Ollama accepts this too.
    ['[::1', 'http://[::1]:11434'],
  ])('connects to %j at %s', (value, expected) => {
    expect(parseHostValue(value)).toBe(expected);
    expect(formatHostUrl(connectableHost(parseOllamaHost(value)))).toBe(expected);
  });
});

describe('values a client cannot use are refused with a clear error', () => {
  it.each([
    ['', /empty host/],
    ['  "" ', /empty host/],
    [':66000', /port must be a number from 1 to 65535, not "66000"/],
    [':-1', /port must be a number/],
    ['1.2.3.4:abc', /port must be a number/],
    ['1.2.3.4:', /port must be a number/],
    [':0', /port 0/],
    ['ftp://1.2.3.4', /unsupported scheme "ftp"/],
    ['300.1.2.3', /not a valid IPv4 address/],
    ['1.2.3', /not a valid IPv4 address/],
    ['my host', /not a valid host name/],
    ['[fe80::1%en0]:11434', /zone ids/],
    ['[::1]x', /not a valid IPv6 address/],
    ['1:2:3', /not a valid IPv6 address/],
    ['http://1.2.3.4/a?b', /path/],
  ])('refuses %j', (value, message) => {
    expect(() => parseHostValue(value)).toThrow(OllamaHostError);
    expect(() => parseHostValue(value)).toThrow(message);
  });
});
