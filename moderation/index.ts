/**
 * The moderation library, shared by the qa workers (the output check on answer lines) and
 * the server's newsroom (viewer-text moderation; re-checking an edited answer). Pure code
 * plus one provider interface: no Redis, no queues, no HTTP server.
 */
export { createOutputCheck, type OutputCheck, type OutputCheckContext, type OutputCheckOptions, type LineOptions } from './output-check.js';
export { moderateViewerText, QUESTION_TEXT, CHAT_TEXT, type ViewerTextLimits } from './viewer-text.js';
export { noModeration, type ModerationProvider } from './provider.js';
export { OpenAiModeration, DEFAULT_MODERATION_MODEL, DEFAULT_MODERATION_TIMEOUT_MS, type OpenAiModerationOptions } from './openai-moderation.js';
export {
  loadModerationConfig, describeModerationConfig, createModerationProvider, ModerationConfigError, type ModerationConfig,
} from './config.js';
export { findLinks, type FoundLink, type LinkKind } from './links.js';
export { findMarkup } from './markup.js';
export { kbNumbers, unsupportedQuantity, type KbNumbers, type UnsupportedQuantity } from './kb-numbers.js';
export { readQuantities, type Quantity, type QuantityKind } from './quantities.js';
