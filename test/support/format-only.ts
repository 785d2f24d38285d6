import { fillPlaceholders } from '../../src/shared/fill-placeholders';
import type { Translate } from '../../src/vscode/l10n';

/** `{0}`-style substitution without translation: the `t` of code under test that needs no l10n bundle. */
export const formatOnly: Translate = fillPlaceholders;
