import { useEffect, useState } from 'react';

/** The wall clock, re-read every `ms` while a component shows something that runs (countdowns, elapsed). */
export function useNow(ms = 250): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}
