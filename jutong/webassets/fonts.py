"""The font stack of every page the platform writes: Latin system fonts first, then the
Simplified Chinese faces of each desktop system (macOS, Windows, Linux with Noto/Source Han or
WenQuanYi), so that Chinese text never falls back to boxes or a random face. No web font is
loaded: the fonts are the reader's own."""

CJK_FONT_STACK = (
    '-apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, '
    '"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Noto Sans SC", '
    '"Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif'
)
