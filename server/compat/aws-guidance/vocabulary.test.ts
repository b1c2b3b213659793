import { describe, expect, it } from 'vitest';
import { ACTIONS, CAMERAS, CHARACTERS, SCENES, SPEEDS, VOICE_IDS } from '../../../protocol/index.js';
import { ACTION_MAP, CAMERA_MAP, CHARACTER_MAP, lookFor, ROLE_MAP, SCENE_MAP, speedFor, term, VOICE_MAP } from './vocabulary.js';

// Every value the original console offers in its pickers (and its item cards know).
const CONSOLE = {
  character: ['rp_zhiyu_cartoon', 'rp_clair_cartoon', 'rp_alison_female_black', 'rp_brandon_male_white', 'rp_cody_male_black', 'rp_emma_female_white',
    'rp_fabienne_female_white', 'rp_rin_female_asian', 'rp_kai_male_white', 'rp_ben_male_white', 'rp_wang_female_asian', 'rp_zhang_female_asian',
    'rp_ming_male_asian', 'rp_deloris_female_asian'],
  voice: ['Zhiyu-CHN', 'US-En-Male', 'US-En-Female', 'UK-En-Male', 'UK-En-Female', 'fr-FR-Female', 'DE-Female', 'DE-Male'],
  scene: ['shoppingmall', 'supermarket', 'park', 'screen', 'beach', 'bg_wall1', 'bg_wall2', 'bg_wall3', 'bg_wall4'],
  camera: ['side_stand', 'front_stand'],
  action: ['Idle', 'Talk1', 'Talk2', 'Talk3', 'Talk4'],
  voice_speed: ['x-fast', 'fast', 'medium', 'slow', 'x-slow'],
};

describe('the AWS guidance vocabulary', () => {
  it('maps every value the original console offers onto one livehost knows', () => {
    for (const v of CONSOLE.character) expect(CHARACTERS).toContain(CHARACTER_MAP[term('character', CHARACTER_MAP, v)]);
    for (const v of CONSOLE.voice) expect(VOICE_IDS).toContain(VOICE_MAP[term('voice', VOICE_MAP, v)].voice);
    for (const v of CONSOLE.scene) expect(SCENES).toContain(SCENE_MAP[term('scene', SCENE_MAP, v)]);
    for (const v of CONSOLE.camera) expect(CAMERAS).toContain(CAMERA_MAP[term('camera', CAMERA_MAP, v)]);
    for (const v of CONSOLE.action) expect(ACTIONS).toContain(ACTION_MAP[term('action', ACTION_MAP, v)]);
    for (const v of CONSOLE.voice_speed) expect(SPEEDS).toContain(speedFor(v));
  });

  it('keeps the original\'s Polly voices beside the catalog voice each maps to', () => {
    expect(Object.fromEntries(Object.entries(VOICE_MAP).map(([k, v]) => [k, v.polly]))).toEqual({
      'Zhiyu-CHN': 'Zhiyu', 'US-En-Male': 'Joey', 'US-En-Female': 'Salli', 'UK-En-Male': 'Brian', 'UK-En-Female': 'Emma',
      'DE-Male': 'Daniel', 'DE-Female': 'Vicki', 'fr-FR-Female': 'Lea',
    });
  });

  it('maps a whole look, leaving out what was not given', () => {
    expect(lookFor({ character: 'rp_cody_male_black', scene: 'bg_wall3', camera: 'side_stand', action: 'Idle' }))
      .toEqual({ character: 'daniel', scene: 'plain-wall', camera: 'side', action: 'Idle' });
    expect(lookFor({ character: '', scene: 'beach' })).toEqual({ scene: 'beach' });
    expect(speedFor(undefined)).toBe('medium');
  });

  it('names the field and lists the known values for an unknown one, without echoing a long input whole', () => {
    expect(() => term('scene', SCENE_MAP, 'moon')).toThrow('unknown scene "moon"; known: shoppingmall, supermarket, park, screen, beach, bg_wall1, bg_wall2, bg_wall3, bg_wall4');
    expect(() => term('scene', SCENE_MAP, 'x'.repeat(500))).toThrow(/unknown scene "x{60}…"/);
    // Inherited names are not values.
    expect(() => term('scene', SCENE_MAP, 'toString')).toThrow(/unknown scene/);
  });

  it('gives each role a voice that speaks its language: two Chinese, two English, one Chinese', () => {
    expect(Object.entries(ROLE_MAP).map(([role, r]) => [role, r.language, VOICE_MAP[r.voice].language])).toEqual([
      ['role_tourist_guide', 'zh-CN', 'zh-CN'],
      ['role_expert_AWS', 'zh-CN', 'zh-CN'],
      ['role_expert_auto_en', 'en-GB', 'en-GB'],
      ['role_3D_avatar_en', 'en-GB', 'en-GB'],
      ['role_expert_auto_cn', 'zh-CN', 'zh-CN'],
    ]);
  });
});
