import type { CHARACTERS } from '../../protocol/index.js';

type Character = (typeof CHARACTERS)[number];

export type HairStyle = 'long-wavy' | 'short-quiff' | 'curly' | 'side-part';
export type Outfit = 'blouse' | 'blazer-tie' | 'sweater' | 'blazer-open';

/** How one character looks: colours, face proportions, hair and clothes. */
export interface CharacterStyle {
  skin: string;
  skinLight: string;
  skinShadow: string;
  lips: string;
  lipsDark: string;
  hair: string;
  hairLight: string;
  hairDark: string;
  iris: string;
  /** Half width of the face at the cheekbones, head units (head is ~216 tall). */
  faceHalfWidth: number;
  /** Half width at the jaw corners: narrow = heart/oval, wide = square. */
  jawHalfWidth: number;
  /** Chin y; larger is a longer face. */
  chinY: number;
  /** Half width of the chin's flat part: 0 pointed … 20 square. */
  chinHalfWidth: number;
  /** Scales the mouth's width. */
  mouthScale: number;
  hairStyle: HairStyle;
  outfit: Outfit;
  clothing: string;
  clothingDark: string;
  /** Shirt, tie, necklace or collar accent depending on the outfit. */
  accent: string;
  accent2: string;
  glasses: boolean;
  earrings: boolean;
  lashes: boolean;
  neckHalfWidth: number;
}

export const CHARACTER_STYLES: Readonly<Record<Character, CharacterStyle>> = {
  ava: {
    skin: '#f0c6a4', skinLight: '#fbdcc2', skinShadow: '#d49d7d',
    lips: '#c9636b', lipsDark: '#9e4450',
    hair: '#5a3523', hairLight: '#86563a', hairDark: '#34190f',
    iris: '#3f7a5a',
    faceHalfWidth: 76, jawHalfWidth: 50, chinY: 104, chinHalfWidth: 8, mouthScale: 0.95,
    hairStyle: 'long-wavy', outfit: 'blouse',
    clothing: '#1f8a8a', clothingDark: '#136063', accent: '#e8c46a', accent2: '#ffffff',
    glasses: false, earrings: true, lashes: true, neckHalfWidth: 30,
  },
  ben: {
    skin: '#e2ad88', skinLight: '#f0c6a6', skinShadow: '#bf8664',
    lips: '#b8706a', lipsDark: '#8a4c48',
    hair: '#b98a4e', hairLight: '#d9b27a', hairDark: '#7d5a2e',
    iris: '#4b6f9e',
    faceHalfWidth: 82, jawHalfWidth: 66, chinY: 106, chinHalfWidth: 20, mouthScale: 1.05,
    hairStyle: 'short-quiff', outfit: 'blazer-tie',
    clothing: '#22324f', clothingDark: '#141f35', accent: '#f4f6fa', accent2: '#8e2a3a',
    glasses: false, earrings: false, lashes: false, neckHalfWidth: 37,
  },
  chloe: {
    skin: '#8f5a3c', skinLight: '#a9714f', skinShadow: '#6c4029',
    lips: '#7b3c38', lipsDark: '#5a2826',
    hair: '#231610', hairLight: '#45301f', hairDark: '#120a06',
    iris: '#3b2414',
    faceHalfWidth: 80, jawHalfWidth: 56, chinY: 100, chinHalfWidth: 14, mouthScale: 1.0,
    hairStyle: 'curly', outfit: 'sweater',
    clothing: '#e0a12b', clothingDark: '#b07816', accent: '#f3c453', accent2: '#ffffff',
    glasses: false, earrings: true, lashes: true, neckHalfWidth: 31,
  },
  daniel: {
    skin: '#e8bd92', skinLight: '#f5d2ad', skinShadow: '#c69870',
    lips: '#b97566', lipsDark: '#8c5247',
    hair: '#1b1b1f', hairLight: '#3b3c44', hairDark: '#0b0b0d',
    iris: '#3a2a1e',
    faceHalfWidth: 74, jawHalfWidth: 54, chinY: 110, chinHalfWidth: 10, mouthScale: 0.98,
    hairStyle: 'side-part', outfit: 'blazer-open',
    clothing: '#4a4e57', clothingDark: '#2f3239', accent: '#a9c8ea', accent2: '#7f9fc4',
    glasses: true, earrings: false, lashes: false, neckHalfWidth: 35,
  },
};

/** The style for a character name; an unknown name (a newer protocol) falls back to ava. */
export function characterStyle(name: string): CharacterStyle {
  return (CHARACTER_STYLES as Readonly<Record<string, CharacterStyle>>)[name] ?? CHARACTER_STYLES.ava;
}
