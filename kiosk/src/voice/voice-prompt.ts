/**
 * Optional spoken prompts through the Web Speech API (speechSynthesis),
 * in vi-VN. Feature-detected: a browser without speech, or without a
 * Vietnamese voice, simply stays silent (the utterance still carries
 * `lang`, so a system default voice for vi-VN is used where one exists).
 */
import type { Lang } from '../i18n/messages.ts';

/** Speaks short prompts; every method is a no-op where speech is unavailable. */
export interface VoicePrompt {
  speak(text: string, lang: Lang): void;
  cancel(): void;
  readonly available: boolean;
}

const LOCALES: Readonly<Record<Lang, string>> = { vi: 'vi-VN', en: 'en-US' };

/** The browser's speech synthesis, or a silent stand-in. */
export function browserVoice(): VoicePrompt {
  const synth = typeof globalThis.speechSynthesis === 'object' ? globalThis.speechSynthesis : undefined;
  const Utterance = typeof globalThis.SpeechSynthesisUtterance === 'function' ? globalThis.SpeechSynthesisUtterance : undefined;
  if (synth === undefined || Utterance === undefined) return { speak() {}, cancel() {}, available: false };
  return {
    available: true,
    speak(text, lang) {
      try {
        synth.cancel();
        const u = new Utterance(text);
        u.lang = LOCALES[lang];
        const voice = synth.getVoices().find((v) => v.lang.replace('_', '-').toLowerCase().startsWith(LOCALES[lang].slice(0, 2)));
        if (voice !== undefined) u.voice = voice;
        u.rate = 0.95;
        synth.speak(u);
      } catch {
        // No voice or the engine refused: prompts are optional, the screen says it all.
      }
    },
    cancel() {
      try {
        synth.cancel();
      } catch {
        // nothing to cancel
      }
    },
  };
}
