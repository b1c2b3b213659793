import type { FrameState } from './frame-state.js';

export type HandShape = 'open' | 'point' | 'relaxed';

/** One forearm raised into the shot: elbow and wrist in body units, hand drawn at the wrist. */
export interface ArmPose {
  /** -1 the avatar's right (screen left), 1 its left (screen right, the panel side). */
  side: -1 | 1;
  elbow: { x: number; y: number };
  wrist: { x: number; y: number };
  hand: HandShape;
  /** Hand rotation in radians; 0 has the fingers pointing up. */
  angle: number;
}

/** The body's pose for one frame, all in head units. */
export interface Pose {
  /** Chest expansion, -1 … 1 (breathing). */
  breath: number;
  headX: number;
  headY: number;
  /** Head tilt in radians around the neck. */
  headRot: number;
  /** Eye direction, -1 … 1 (1 looks towards the panel side). */
  lookX: number;
  browLift: number;
  arms: ArmPose[];
}

const TAU = Math.PI * 2;
const wave = (t: number, periodS: number, phase = 0): number => Math.sin((TAU * t) / periodS + phase);

/**
 * Idle motion and talking gestures as a pure function of media time, so a frame is
 * reproducible from its FrameState. Periods are unrelated primes-ish so the motion
 * never visibly loops.
 */
export function computePose(state: Pick<FrameState, 'timeMs' | 'action' | 'speaking'>): Pose {
  const t = state.timeMs / 1000;
  const talk = state.speaking ? 1 : 0;
  const energy = state.speaking ? 1 : 0.35;
  const breath = wave(t, 4.3);
  const pose: Pose = {
    breath,
    headX: 3 * wave(t, 9.1) + 1.2 * talk * wave(t, 2.3, 0.7),
    headY: -1.5 * breath,
    headRot: 0.018 * wave(t, 7.3) + 0.008 * wave(t, 3.1, 1) + 0.012 * talk * wave(t, 1.7, 0.3),
    lookX: 0.15 * wave(t, 11.3, 2),
    browLift: talk * (1.5 + 1.5 * wave(t, 2.3, 1.2)),
    arms: [],
  };
  switch (state.action) {
    case 'Idle':
      break;
    case 'Talk1': {
      // Open palm offered towards the viewer, bobbing gently on the beat.
      const b = energy * wave(t, 1.9);
      pose.arms.push({ side: 1, elbow: { x: 215, y: 430 }, wrist: { x: 118 + 8 * b, y: 300 + 6 * b }, hand: 'open', angle: 0.35 + 0.08 * b });
      break;
    }
    case 'Talk2': {
      // Pointing at the panel; eyes and head follow the hand.
      const b = energy * wave(t, 2.6);
      pose.arms.push({ side: 1, elbow: { x: 250, y: 380 }, wrist: { x: 285 + 6 * b, y: 255 + 4 * b }, hand: 'point', angle: 1.05 });
      pose.lookX = 0.8;
      pose.headRot += 0.03;
      pose.headX += 3;
      break;
    }
    case 'Talk3': {
      // Nodding, with a hand at the chest keeping the rhythm.
      const nod = 0.5 - 0.5 * Math.cos((TAU * t) / 1.2);
      pose.headY += 7 * nod * energy;
      pose.browLift += 1.5 * nod;
      pose.arms.push({ side: -1, elbow: { x: -210, y: 430 }, wrist: { x: -92, y: 305 + 9 * nod * energy }, hand: 'relaxed', angle: 1.1 });
      break;
    }
    case 'Talk4': {
      // Both hands shaping an idea, moving apart and together.
      const b = energy * wave(t, 1.6);
      pose.arms.push({ side: -1, elbow: { x: -225, y: 430 }, wrist: { x: -100 - 18 * b, y: 300 + 4 * b }, hand: 'open', angle: 0.9 });
      pose.arms.push({ side: 1, elbow: { x: 225, y: 430 }, wrist: { x: 100 + 18 * b, y: 300 - 4 * b }, hand: 'open', angle: -0.9 });
      break;
    }
  }
  return pose;
}
