// The thread's entry: its TypeScript is loaded through tsx's loader, registered here, since
// a thread does not always inherit it (under the test runner, the parent's loader is Vite's).
import { register } from 'tsx/esm/api';

register();
await import('./similarity-thread.ts');
