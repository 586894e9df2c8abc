"""The lessons' pictures: SVG files beside the module files, checked, loaded, drawn.

A lesson names a picture by its path from the module file's folder
(``pictures/sand-footprints.svg``, or ``../g1-2/pictures/...`` for another band's);
a module file kept elsewhere names those of its age band's folder.
The pictures are the project's own drawings (flat shapes, no words in the image,
licence: the project's, see ``content_cms/curriculum/g1-2/pictures/LICENCE.md``),
so they are held to a small, safe subset of SVG: shapes and groups only. No script,
no link, no embedded file, no text can hide in one, which is what lets the loader
put them into Wagtail's images and the worksheet PDF draw them without a browser.

Loaded pictures are Wagtail images titled ``curriculum:<path from the curriculum
folder>``; loading again reuses an image whose file is unchanged (``file_hash``),
so reloading the curriculum adds nothing.
"""

import hashlib
import re
from pathlib import Path, PurePosixPath

from defusedxml import ElementTree
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from reportlab.lib.colors import HexColor
from reportlab.pdfgen.canvas import Canvas

SVG_NAMESPACE = "{http://www.w3.org/2000/svg}"
TITLE_PREFIX = "curriculum:"
# Shapes and groups only: what an original flat drawing needs, and nothing that can
# run, fetch or say something in words.
ALLOWED_ATTRIBUTES = {
    "svg": {"xmlns", "viewBox", "width", "height", "role", "aria-hidden"},
    "g": {
        "fill",
        "stroke",
        "stroke-width",
        "stroke-linecap",
        "stroke-linejoin",
        "transform",
    },
    "rect": {"x", "y", "width", "height", "rx", "fill", "stroke", "stroke-width"},
    "circle": {"cx", "cy", "r", "fill", "stroke", "stroke-width"},
    "ellipse": {"cx", "cy", "rx", "ry", "fill", "stroke", "stroke-width"},
    "polygon": {"points", "fill", "stroke", "stroke-width", "stroke-linejoin"},
    "polyline": {
        "points",
        "fill",
        "stroke",
        "stroke-width",
        "stroke-linecap",
        "stroke-linejoin",
    },
    "line": {"x1", "y1", "x2", "y2", "stroke", "stroke-width", "stroke-linecap"},
    "path": {
        "d",
        "fill",
        "stroke",
        "stroke-width",
        "stroke-linecap",
        "stroke-linejoin",
    },
}
PATH_COMMAND = re.compile(r"([MLQCZ])([^MLQCZ]*)")
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
MAX_PICTURE_BYTES = 64 * 1024


def _tag(element) -> str:
    return element.tag.removeprefix(SVG_NAMESPACE)


def picture_path(module_file: Path, name: str, band: str) -> Path:
    """Return the file a module names, resolved from the module file's folder.

    A module file outside the curriculum folder (a draft, an edited export) names
    the pictures of its age band's folder, so a copy loads the same pictures.
    """
    from content_cms.curriculum.loader import CURRICULUM_DIR

    folder = module_file.resolve().parent
    if not folder.is_relative_to(CURRICULUM_DIR):
        folder = CURRICULUM_DIR / band
    return (folder / name).resolve()


def picture_title(path: Path) -> str:
    """Return the Wagtail image title of a picture file (its curriculum path)."""
    from content_cms.curriculum.loader import CURRICULUM_DIR

    return TITLE_PREFIX + path.resolve().relative_to(CURRICULUM_DIR).as_posix()


def picture_name_for(title: str, band: str) -> str | None:
    """Return how a module of ``band`` names the picture of image ``title``."""
    if not title.startswith(TITLE_PREFIX):
        return None
    path = PurePosixPath(title.removeprefix(TITLE_PREFIX))
    if path.parts and path.parts[0] == band:
        return PurePosixPath(*path.parts[1:]).as_posix()
    return f"../{path.as_posix()}"


def picture_problems(path: Path) -> list[str]:
    """Return why a picture file cannot be used (missing, too big, unsafe SVG)."""
    from content_cms.curriculum.loader import CURRICULUM_DIR

    try:
        path.resolve().relative_to(CURRICULUM_DIR)
    except ValueError:
        return [_("the picture is outside the curriculum folder")]
    if not path.is_file():
        return [_("no such picture file")]
    return svg_problems(path.read_bytes())


def svg_problems(content: bytes) -> list[str]:
    """Return why an SVG drawing is not one the lessons may show."""
    if len(content) > MAX_PICTURE_BYTES:
        return [_("the picture is larger than 64 KB")]
    try:
        root = ElementTree.fromstring(content)
    except Exception as error:  # defusedxml raises several kinds
        return [_("the picture is not readable SVG: %(error)s") % {"error": error}]
    if _tag(root) != "svg" or not root.get("viewBox"):
        return [_("the picture must be an <svg> with a viewBox")]
    problems = []
    for element in root.iter():
        tag = _tag(element)
        if tag not in ALLOWED_ATTRIBUTES:
            problems.append(_("element <%(tag)s> is not allowed") % {"tag": tag})
            continue
        for attribute in element.attrib:
            if attribute not in ALLOWED_ATTRIBUTES[tag]:
                problems.append(
                    _("attribute %(name)s of <%(tag)s> is not allowed")
                    % {"name": attribute, "tag": tag}
                )
        transform = element.get("transform")
        if transform and not re.fullmatch(
            r"translate\(\s*-?[\d.]+[ ,]+-?[\d.]+\s*\)", transform
        ):
            problems.append(_("only translate(x, y) transforms are allowed"))
    return sorted(set(problems))


def picture_image(path: Path):
    """Return the Wagtail image of a picture file, made or refreshed as needed."""
    from wagtail.images import get_image_model
    from wagtail.models import Collection

    image_model = get_image_model()
    title = picture_title(path)
    content = path.read_bytes()
    file_hash = hashlib.sha1(content).hexdigest()  # noqa: S324 - Wagtail's own hash
    image = image_model.objects.filter(title=title).order_by("pk").first()
    if image is not None and image.file_hash == file_hash:
        return image
    if image is None:
        image = image_model(title=title, collection=Collection.get_first_root_node())
    root = ElementTree.fromstring(content)
    _x, _y, width, height = (float(n) for n in NUMBER.findall(root.get("viewBox")))
    image.file = ContentFile(content, name=path.name)
    image.width, image.height = round(width), round(height)
    image.file_size = len(content)
    image.file_hash = file_hash
    image.save()
    return image


# --- Drawing into a PDF ----------------------------------------------------------


def _colour(value: str | None):
    if not value or value == "none":
        return None
    return HexColor(value)


def _points(text: str) -> list[float]:
    return [float(n) for n in NUMBER.findall(text or "")]


def _path(canvas: Canvas, d: str):
    path = canvas.beginPath()
    x = y = 0.0
    for command, arguments in PATH_COMMAND.findall(d):
        numbers = _points(arguments)
        if command == "M":
            x, y = numbers[0], numbers[1]
            path.moveTo(x, y)
            for index in range(2, len(numbers) - 1, 2):
                x, y = numbers[index], numbers[index + 1]
                path.lineTo(x, y)
        elif command == "L":
            for index in range(0, len(numbers) - 1, 2):
                x, y = numbers[index], numbers[index + 1]
                path.lineTo(x, y)
        elif command == "Q":
            for index in range(0, len(numbers) - 3, 4):
                qx, qy, ex, ey = numbers[index : index + 4]
                # A quadratic curve is the cubic with control points 2/3 along.
                path.curveTo(
                    x + 2 / 3 * (qx - x),
                    y + 2 / 3 * (qy - y),
                    ex + 2 / 3 * (qx - ex),
                    ey + 2 / 3 * (qy - ey),
                    ex,
                    ey,
                )
                x, y = ex, ey
        elif command == "C":
            for index in range(0, len(numbers) - 5, 6):
                path.curveTo(*numbers[index : index + 6])
                x, y = numbers[index + 4], numbers[index + 5]
        else:
            path.close()
    return path


def _draw_element(canvas: Canvas, element, inherited: dict) -> None:
    tag = _tag(element)
    style = dict(inherited)
    for name in ("fill", "stroke", "stroke-width", "stroke-linecap"):
        if element.get(name) is not None:
            style[name] = element.get(name)
    if tag in ("svg", "g"):
        canvas.saveState()
        transform = element.get("transform")
        if transform:
            dx, dy = _points(transform)[:2]
            canvas.translate(dx, dy)
        for child in element:
            _draw_element(canvas, child, style)
        canvas.restoreState()
        return
    if tag not in ALLOWED_ATTRIBUTES:
        return
    fill, stroke = _colour(style.get("fill", "#000000")), _colour(style.get("stroke"))
    if tag in ("line", "polyline"):
        fill = None if tag == "line" else fill
    canvas.setLineWidth(float(style.get("stroke-width", 1)))
    canvas.setLineCap({"round": 1, "square": 2}.get(style.get("stroke-linecap"), 0))
    canvas.setLineJoin(1)
    if fill is not None:
        canvas.setFillColor(fill)
    if stroke is not None:
        canvas.setStrokeColor(stroke)
    paint = {"fill": int(fill is not None), "stroke": int(stroke is not None)}
    number = lambda name: float(element.get(name, 0))  # noqa: E731
    if tag == "rect":
        radius = number("rx")
        if radius:
            canvas.roundRect(
                number("x"),
                number("y"),
                number("width"),
                number("height"),
                radius,
                **paint,
            )
        else:
            canvas.rect(
                number("x"), number("y"), number("width"), number("height"), **paint
            )
    elif tag == "circle":
        canvas.circle(number("cx"), number("cy"), number("r"), **paint)
    elif tag == "ellipse":
        cx, cy, rx, ry = number("cx"), number("cy"), number("rx"), number("ry")
        canvas.ellipse(cx - rx, cy - ry, cx + rx, cy + ry, **paint)
    elif tag == "line":
        if stroke is not None:
            canvas.line(number("x1"), number("y1"), number("x2"), number("y2"))
    elif tag in ("polygon", "polyline"):
        points = _points(element.get("points"))
        path = canvas.beginPath()
        path.moveTo(points[0], points[1])
        for index in range(2, len(points) - 1, 2):
            path.lineTo(points[index], points[index + 1])
        if tag == "polygon":
            path.close()
        canvas.drawPath(path, **paint)
    elif tag == "path":
        canvas.drawPath(_path(canvas, element.get("d", "")), **paint)


def picture_draw(
    canvas: Canvas, content: bytes, x: float, y: float, width: float, height: float
) -> None:
    """Draw an SVG picture (the curriculum's subset) centred in the given box."""
    root = ElementTree.fromstring(content)
    vx, vy, vw, vh = (float(n) for n in NUMBER.findall(root.get("viewBox")))
    scale = min(width / vw, height / vh)
    canvas.saveState()
    # SVG's y axis points down, PDF's up: flip it inside the box.
    canvas.translate(
        x + (width - vw * scale) / 2, y + height - (height - vh * scale) / 2
    )
    canvas.scale(scale, -scale)
    canvas.translate(-vx, -vy)
    _draw_element(canvas, root, {"fill": "#000000"})
    canvas.restoreState()
