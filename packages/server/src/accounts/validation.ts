import type { FieldError } from '../errors.js';

export const USERNAME_RE = /^[a-z0-9._-]{3,32}$/;
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function normalizeUsername(raw: string): string {
  return raw.trim().toLowerCase();
}

export function normalizeEmail(raw: string): string {
  return raw.trim().toLowerCase();
}

export function validateUsername(username: string): FieldError | null {
  if (username.length < 3)
    return { field: 'username', code: 'too_short', message: 'Use at least 3 characters.' };
  if (username.length > 32)
    return { field: 'username', code: 'too_long', message: 'Use at most 32 characters.' };
  if (!USERNAME_RE.test(username)) {
    return {
      field: 'username',
      code: 'invalid_characters',
      message: 'Use only lower-case letters, digits, dots, dashes and underscores.',
    };
  }
  return null;
}

export function validateEmail(email: string): FieldError | null {
  if (email.length === 0) return { field: 'email', code: 'required', message: 'Enter your email address.' };
  if (email.length > 254 || !EMAIL_RE.test(email)) {
    return {
      field: 'email',
      code: 'invalid_email',
      message: 'Enter a valid email address, like name@example.com.',
    };
  }
  return null;
}

/** The passwords every guessing list starts with; a length rule alone lets them through. */
const COMMON_PASSWORDS = new Set(
  (
    'password password1 password123 passw0rd 12345678 123456789 1234567890 11111111 00000000 ' +
    'qwertyui qwertyuiop qwerty123 asdfghjk iloveyou sunshine princess football baseball ' +
    'welcome1 abc12345 letmein1 trustno1 superman dragon12 monkey12 master12 changeme ' +
    'loftloft 87654321 aaaaaaaa abcdefgh'
  ).split(' '),
);

export function validatePassword(password: string, username?: string, email?: string): FieldError | null {
  const length = [...password].length;
  if (length < 8) return { field: 'password', code: 'too_short', message: 'Use at least 8 characters.' };
  if (length > 256) return { field: 'password', code: 'too_long', message: 'Use at most 256 characters.' };
  const lower = password.toLowerCase();
  const weak =
    COMMON_PASSWORDS.has(lower) ||
    new Set(lower).size <= 2 ||
    (username !== undefined && username.length > 0 && lower.includes(username.toLowerCase())) ||
    (email !== undefined && email.length > 0 && lower === email.toLowerCase());
  if (weak)
    return {
      field: 'password',
      code: 'too_weak',
      message: 'This password is too easy to guess. Try a few unrelated words.',
    };
  return null;
}
