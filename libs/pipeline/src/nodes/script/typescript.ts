// TypeScript scripts are transpiled once at load (types stripped, no type checking); the `typescript`
// package is loaded lazily so servers that never run a TS script do not pay for it.

/** Transpiles a TypeScript script to plain JavaScript for the sandbox; syntax errors name line and column. */
export async function transpileScript(source: string, fileName = 'script.ts'): Promise<string> {
  const ts = (await import('typescript')).default;
  const result = ts.transpileModule(source, {
    fileName,
    reportDiagnostics: true,
    compilerOptions: {
      target: ts.ScriptTarget.ES2020,
      module: ts.ModuleKind.ESNext,
      moduleDetection: ts.ModuleDetectionKind.Legacy,
    },
  });
  const problems = (result.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (problems.length > 0) {
    const text = problems
      .map((d) => {
        const where =
          d.file && d.start !== undefined
            ? d.file.getLineAndCharacterOfPosition(d.start)
            : { line: -1, character: -1 };
        const msg = ts.flattenDiagnosticMessageText(d.messageText, ' ');
        return where.line >= 0 ? `${fileName}:${where.line + 1}:${where.character + 1} ${msg}` : msg;
      })
      .join('; ');
    throw new Error(`TypeScript script does not compile: ${text}`);
  }
  return result.outputText;
}

/** Scripts are TypeScript when `language` says so, or when `script_path` ends in `.ts` / `.mts` / `.cts`. */
export function isTypeScript(language: string | undefined, scriptPath: string | undefined): boolean {
  if (language) return language === 'typescript';
  return scriptPath !== undefined && /\.[mc]?ts$/i.test(scriptPath);
}
