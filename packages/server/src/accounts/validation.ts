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

export function validatePassword(password: string): FieldError | null {
  const length = [...password].length;
  if (length < 8) return { field: 'password', code: 'too_short', message: 'Use at least 8 characters.' };
  if (length > 256) return { field: 'password', code: 'too_long', message: 'Use at most 256 characters.' };
  return null;
}
