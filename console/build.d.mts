/** Types of console/build.mjs (plain JS so the bootstrap can run it before dependencies exist). */
export declare const consoleDist: string;
export declare function inputHash(): string;
export declare function ensureConsoleBuilt(options?: { force?: boolean; log?: (message: string) => void }): Promise<'fresh' | 'built'>;
