// Core editor data to LSP data, where the shapes differ: related information needs URIs.

import { pathToFileURL } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver/node';
import type { EditorDiagnostic } from '../core/features/types';

export function toLspDiagnostic(diagnostic: EditorDiagnostic, uri: string): Diagnostic {
  const { relatedInformation, ...rest } = diagnostic;
  const result: Diagnostic = { ...rest };
  if (relatedInformation) {
    result.relatedInformation = relatedInformation.map((info) => ({
      location: { uri: info.path ? pathToFileURL(info.path).toString() : uri, range: info.range },
      message: info.message,
    }));
  }
  return result;
}
