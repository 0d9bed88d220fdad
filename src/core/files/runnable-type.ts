/**
 * File types that can run code when opened (issue 10: opening one asks again and says why).
 * Only the last extension counts, as it is what the OS dispatches on (`photo.jpg.exe` is an
 * .exe, `setup.exe.txt` is text); trailing dots, spaces and invisible characters are ignored
 * first because Windows and display both ignore them.
 */
const RUNNABLE = new Set([
  // Windows
  'exe', 'com', 'bat', 'cmd', 'scr', 'pif', 'cpl', 'msi', 'msp', 'mst', 'msc', 'ps1', 'ps1xml', 'ps2', 'psm1', 'psd1', 'psc1',
  'vb', 'vbs', 'vbe', 'js', 'jse', 'ws', 'wsf', 'wsc', 'wsh', 'hta', 'reg', 'lnk', 'inf', 'scf', 'url', 'application',
  'gadget', 'appx', 'appxbundle', 'msix', 'msixbundle', 'appref-ms', 'chm', 'dll', 'sys', 'library-ms', 'settingcontent-ms',
  'xll', 'xlam', 'docm', 'xlsm', 'pptm', 'iso', 'img', 'vhd', 'vhdx',
  // Cross-platform runtimes
  'jar', 'jnlp', 'py', 'pyw', 'pyc', 'pl', 'rb', 'php', 'lua', 'tcl', 'mjs', 'cjs', 'wasm',
  // Unix shells and desktops
  'sh', 'bash', 'zsh', 'ksh', 'csh', 'fish', 'command', 'tool', 'desktop', 'run', 'bin', 'elf', 'out',
  'appimage', 'deb', 'rpm', 'snap', 'flatpak', 'flatpakref',
  // macOS
  'app', 'dmg', 'pkg', 'mpkg', 'scpt', 'applescript', 'workflow', 'terminal', 'webloc', 'inetloc', 'fileloc',
]);

/** True if opening a file with this name may run code (case-insensitive, last extension). */
export function isRunnableType(name: string): boolean {
  const cleaned = String(name).replace(/[\p{Default_Ignorable_Code_Point}\p{Cf}]/gu, '').replace(/[\s.]+$/u, '');
  const dot = cleaned.lastIndexOf('.');
  if (dot < 0) return false;
  return RUNNABLE.has(cleaned.slice(dot + 1).toLowerCase());
}
