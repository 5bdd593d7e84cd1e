// The start-up warning when library.baseUrl names this machine on another port: every link in
// mails and the feed would lead nowhere.
import { describe, expect, it } from 'vitest';
import { baseUrlPortWarning } from '../../src/bootstrap/banner.js';

describe('baseUrl against the listening port', () => {
  it('warns when a local baseUrl names another port, and says what to set', () => {
    const w = baseUrlPortWarning('http://localhost:8080', 18480);
    expect(w).toBe(
      'warning: library.baseUrl is http://localhost:8080 but the server listens on port 18480: links in mails and the feed will not open. ' +
        'Set library.baseUrl to http://localhost:18480 (or remove it to follow the port), or listen on its port.',
    );
    expect(baseUrlPortWarning('http://127.0.0.1', 8080)).toContain('listens on port 8080');
    expect(baseUrlPortWarning('http://[::1]:3000/crier', 3001)).toContain('listens on port 3001');
  });

  it('is quiet when the ports agree or the host is a public name (a proxy may forward)', () => {
    expect(baseUrlPortWarning('http://localhost:18480', 18480)).toBeNull();
    expect(baseUrlPortWarning('http://127.0.0.1:80/', 80)).toBeNull();
    expect(baseUrlPortWarning('https://library.example.edu/crier', 8080)).toBeNull();
  });
});
