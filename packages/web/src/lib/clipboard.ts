/**
 * Copies text, falling back to selecting it where the Clipboard API is not allowed (plain http), so
 * Ctrl+C still works: an input's value, or any other element's text.
 */
export async function copyText(text: string, shown?: HTMLElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    if (shown instanceof HTMLInputElement || shown instanceof HTMLTextAreaElement) shown.select();
    else if (shown) window.getSelection()?.selectAllChildren(shown);
    return false;
  }
}
