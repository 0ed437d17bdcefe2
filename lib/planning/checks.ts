// Input checks shared by the planning functions: each refuses a bad argument with a RangeError naming it and its value.

export function checkProportion(name: string, p: number): void {
  if (!(Number.isFinite(p) && p > 0 && p < 1)) throw new RangeError(`${name} must be a proportion in (0, 1), got ${p}`);
}

export function checkAlpha(alpha: number): void {
  if (!(Number.isFinite(alpha) && alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
}

export function checkSided(sided: number): void {
  if (sided !== 1 && sided !== 2) throw new RangeError(`sided must be 1 or 2, got ${sided}`);
}

export function checkPower(power: number, alpha: number, sided: number): void {
  if (!(Number.isFinite(power) && power > 0 && power < 1)) throw new RangeError(`power must be in (0, 1), got ${power}`);
  if (power <= alpha / sided) {
    throw new RangeError(`power must exceed alpha/sided = ${alpha / sided} (a test at that level already has it), got ${power}`);
  }
}

export function checkPositive(name: string, x: number): void {
  if (!(Number.isFinite(x) && x > 0)) throw new RangeError(`${name} must be a finite number > 0, got ${x}`);
}

export function checkShare(name: string, x: number, allowZero = false): void {
  const ok = Number.isFinite(x) && (allowZero ? x >= 0 : x > 0) && x <= 1;
  if (!ok) throw new RangeError(`${name} must be a share in ${allowZero ? "[0" : "(0"}, 1], got ${x}`);
}
