import type { BlendshapeTrack, SpeechTimeline, Viseme } from '../../protocol/index.js';

/** The ARKit blendshapes speech drives; the other 33 of the 52 (eyes, brows, cheeks…) stay 0 and are not sent. */
export const MOUTH_BLENDSHAPES = [
  'jawOpen', 'mouthClose', 'mouthFunnel', 'mouthPucker',
  'mouthSmileLeft', 'mouthSmileRight', 'mouthStretchLeft', 'mouthStretchRight',
  'mouthPressLeft', 'mouthPressRight', 'mouthRollLower', 'mouthRollUpper',
  'mouthLowerDownLeft', 'mouthLowerDownRight', 'mouthUpperUpLeft', 'mouthUpperUpRight',
  'mouthShrugUpper', 'tongueOut',
] as const;
export type MouthBlendshape = (typeof MOUTH_BLENDSHAPES)[number];

type Pose = Partial<Record<MouthBlendshape, number>>;
const both = (side: 'mouthSmile' | 'mouthStretch' | 'mouthPress' | 'mouthLowerDown' | 'mouthUpperUp', v: number): Pose =>
  ({ [`${side}Left`]: v, [`${side}Right`]: v }) as Pose;

/** One target pose per OVR viseme, after the ARKit/Oculus reference shapes. */
export const VISEME_POSES: Readonly<Record<Viseme, Pose>> = {
  sil: {},
  PP: { jawOpen: 0.04, mouthClose: 0.04, mouthRollLower: 0.3, mouthRollUpper: 0.2, ...both('mouthPress', 0.55) },
  FF: { jawOpen: 0.1, mouthRollLower: 0.6, mouthFunnel: 0.1, ...both('mouthUpperUp', 0.3) },
  TH: { jawOpen: 0.2, tongueOut: 0.35, ...both('mouthUpperUp', 0.1) },
  DD: { jawOpen: 0.25, ...both('mouthStretch', 0.15), ...both('mouthLowerDown', 0.2) },
  kk: { jawOpen: 0.3, ...both('mouthStretch', 0.2), ...both('mouthLowerDown', 0.1) },
  CH: { jawOpen: 0.2, mouthFunnel: 0.5, mouthPucker: 0.3, mouthShrugUpper: 0.2, ...both('mouthUpperUp', 0.2) },
  SS: { jawOpen: 0.1, ...both('mouthStretch', 0.35), ...both('mouthSmile', 0.2), ...both('mouthUpperUp', 0.1) },
  nn: { jawOpen: 0.2, ...both('mouthLowerDown', 0.1), ...both('mouthStretch', 0.1) },
  RR: { jawOpen: 0.2, mouthFunnel: 0.3, mouthPucker: 0.3 },
  aa: { jawOpen: 0.7, ...both('mouthLowerDown', 0.3), ...both('mouthUpperUp', 0.1) },
  E: { jawOpen: 0.45, ...both('mouthStretch', 0.3), ...both('mouthSmile', 0.2), ...both('mouthLowerDown', 0.2) },
  ih: { jawOpen: 0.3, ...both('mouthSmile', 0.35), ...both('mouthStretch', 0.3) },
  oh: { jawOpen: 0.5, mouthFunnel: 0.6, mouthPucker: 0.2 },
  ou: { jawOpen: 0.2, mouthPucker: 0.8, mouthFunnel: 0.4 },
};

export interface BlendshapeOptions {
  fps?: number;
  /** Time constant while a shape grows; lips start moving fast. */
  attackMs?: number;
  /** Time constant while it fades; muscles relax more slowly, which also hides jitter. */
  releaseMs?: number;
  /** Look ahead: the mouth starts forming a sound slightly before it is heard. */
  anticipationMs?: number;
}

/**
 * ARKit blendshape curves at `fps` (default 60) from the viseme timeline, for engine
 * renderers (Unreal Live Link, Unity) that animate blendshapes rather than visemes.
 * Each frame moves toward the active viseme's pose with separate attack and release
 * time constants, so shapes blend instead of snapping.
 */
export function blendshapeTrack(timeline: SpeechTimeline, opts: BlendshapeOptions = {}): BlendshapeTrack {
  const fps = opts.fps ?? 60;
  const attack = opts.attackMs ?? 30;
  const release = opts.releaseMs ?? 70;
  const lead = opts.anticipationMs ?? 30;
  const frameCount = Math.max(1, Math.ceil((timeline.durationMs / 1000) * fps));
  const dt = 1000 / fps;
  const kAttack = 1 - Math.exp(-dt / attack);
  const kRelease = 1 - Math.exp(-dt / release);
  const current = new Array<number>(MOUTH_BLENDSHAPES.length).fill(0);
  const frames: number[][] = [];
  let v = 0;
  for (let f = 0; f < frameCount; f++) {
    const t = f * dt + lead;
    while (v + 1 < timeline.visemes.length && (timeline.visemes[v + 1]?.timeMs ?? Infinity) <= t) v++;
    const active = timeline.visemes[v];
    const pose = active && active.timeMs <= t ? VISEME_POSES[active.viseme] : VISEME_POSES.sil;
    // The last frames close the mouth whatever the timeline says: audio has ended.
    const ending = f * dt >= timeline.durationMs - dt;
    frames.push(MOUTH_BLENDSHAPES.map((name, j) => {
      const target = ending ? 0 : (pose[name] ?? 0);
      const now = current[j]!;
      const next = now + (target - now) * (target > now ? kAttack : kRelease);
      current[j] = next;
      return Math.round(Math.min(1, Math.max(0, next)) * 1000) / 1000;
    }));
  }
  return { fps, names: [...MOUTH_BLENDSHAPES], frames };
}
