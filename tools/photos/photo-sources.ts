/**
 * Which Debian packages the small-cpu training photographs come from, and which of their files are used.
 *
 * Reserved for held-out evaluation elsewhere and never used here (issue 15): python3-skimage,
 * python-matplotlib-data, python3-sklearn, python3-scipy, mate-backgrounds, lomiri-wallpapers-16.04,
 * lomiri-wallpapers-20.04, plasma-workspace-wallpapers, opencv-doc.
 */

/** One package and the rule that picks its images. */
export interface PhotoPackage {
  readonly name: string;
  /** Short tag used in sample keys (letters only). */
  readonly tag: string;
  /** What the images are, for the manifest and the README. */
  readonly content: string;
  /** Installed paths (relative to the package root) that are used: regular expression. */
  readonly include: RegExp;
  /** Paths dropped although they match `include` (screenshots, placeholders, duplicates at other sizes). */
  readonly exclude?: RegExp;
  /** At most this many sources (largest first), for packages with many similar images. */
  readonly maxSources?: number;
}

export const RESERVED_PACKAGES: readonly string[] = [
  'python3-skimage', 'python-matplotlib-data', 'python3-sklearn', 'python3-scipy', 'mate-backgrounds',
  'lomiri-wallpapers-16.04', 'lomiri-wallpapers-20.04', 'plasma-workspace-wallpapers', 'opencv-doc',
];

const RASTER = String.raw`\.(jpe?g|png|webp)$`;

export const PHOTO_PACKAGES: readonly PhotoPackage[] = [
  {
    name: 'stellarium-data', tag: 'stl', content: 'landscape panoramas (photographs), planet and moon maps (spacecraft imagery), nebula photographs',
    include: new RegExp(String.raw`^usr/share/stellarium/(landscapes|textures|nebulae/default)/.*${RASTER}`, 'i'),
    exclude: /(nomap|normals|_bump|\/fog|\/ocean\/ocean\d+b|gl\d*_night|\/zero\/)/i,
    maxSources: 170,
  },
  {
    name: 'hugin-data', tag: 'hug', content: 'photographs from the Hugin manual (architecture, interiors, nature)',
    include: new RegExp(String.raw`^usr/share/hugin/xrc/data/help_en_EN/.*\.jpe?g$`, 'i'),
    exclude: /(Celeste_|Aliasing|preferences|panel)/i,
  },
  {
    name: 'mypaint-data-extras', tag: 'myp', content: 'photographed paper and canvas textures',
    include: new RegExp(String.raw`^usr/share/mypaint/backgrounds/.*${RASTER}`, 'i'),
  },
  { name: 'ukui-wallpapers', tag: 'uku', content: 'wallpapers (illustrations, photographs)', include: new RegExp(String.raw`^usr/share/backgrounds/.*${RASTER}`, 'i') },
  { name: 'gnome-backgrounds', tag: 'gno', content: 'wallpapers (illustrations, textures)', include: new RegExp(String.raw`^usr/share/backgrounds/gnome/.*${RASTER}`, 'i') },
  { name: 'xfdesktop4-data', tag: 'xfc', content: 'wallpapers (illustrations)', include: new RegExp(String.raw`^usr/share/backgrounds/xfce/.*${RASTER}`, 'i') },
  { name: 'lxde-common', tag: 'lxd', content: 'wallpapers (illustrations)', include: new RegExp(String.raw`^usr/share/lxde/wallpapers/.*${RASTER}`, 'i') },
  {
    name: 'sway-backgrounds', tag: 'swy', content: 'wallpaper (illustration; one size of each design)',
    include: /^usr\/share\/backgrounds\/sway\/.*_2048x1536\.png$/i,
  },
  { name: 'lomiri-wallpapers', tag: 'lom', content: 'wallpaper (illustration)', include: new RegExp(String.raw`^usr/share/backgrounds/.*${RASTER}`, 'i') },
];
