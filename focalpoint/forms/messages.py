"""Validation messages in the six UN languages.

The hub answers in the language a client asks for, whatever its own interface
language, and a PDF or CLI report may be printed in any of the six languages; so
these sentences live here as six-language maps (like form labels), not in the
gettext catalogues. Each names the field by its label in the form definition.

Any thread may call :func:`render_message`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from focalpoint.i18n import DEFAULT_LANGUAGE, LANGUAGES, localize

if TYPE_CHECKING:
    from focalpoint.forms.model import Field
    from focalpoint.forms.validation import ValidationError

T = dict[str, str]

# ------------------------------------------------------------------ sentences

MANDATORY: T = {
    "ar": "{field}: هذه المعلومات مطلوبة.",
    "en": "{field}: this information is required.",
    "es": "{field}: esta información es obligatoria.",
    "fr": "{field} : cette information est obligatoire.",
    "ru": "{field}: это поле обязательно для заполнения.",
    "zh": "{field}：此项为必填项。",
}
MANDATORY_LANGUAGE: T = {
    "ar": "{field}: النص مطلوب باللغة {language} لأن السجل مُعلن بهذه اللغة.",
    "en": "{field}: the text in {language} is required, because the record is declared in that language.",
    "es": "{field}: el texto en {language} es obligatorio, porque el registro está declarado en ese idioma.",
    "fr": "{field} : le texte en {language} est obligatoire, car la fiche est déclarée dans cette langue.",
    "ru": "{field}: требуется текст на языке «{language}», так как запись объявлена на этом языке.",
    "zh": "{field}：记录已声明使用{language}，因此必须填写{language}文本。",
}
MANDATORY_ITEMS: T = {
    "ar": "{field}: يلزم إدخال {minItems} بند واحد على الأقل.",
    "en": "{field}: at least {minItems} entries are required.",
    "es": "{field}: se requieren al menos {minItems} entradas.",
    "fr": "{field} : au moins {minItems} entrées sont requises.",
    "ru": "{field}: требуется не менее {minItems} записей.",
    "zh": "{field}：至少需要 {minItems} 项。",
}
MANDATORY_ANY_OF: T = {
    "ar": "يجب ملء واحد على الأقل من الحقول التالية: {fields}.",
    "en": "Fill in at least one of these: {fields}.",
    "es": "Complete al menos uno de estos campos: {fields}.",
    "fr": "Remplissez au moins l'un de ces champs : {fields}.",
    "ru": "Заполните хотя бы одно из следующих полей: {fields}.",
    "zh": "以下各项至少须填写一项：{fields}。",
}
INVALID_PROPERTY: T = {
    "ar": "{field}: هذه الخاصية ليست جزءًا من هذا النوع من السجلات؛ احذفها.",
    "en": "{field}: this property is not part of this kind of record; remove it.",
    "es": "{field}: esta propiedad no forma parte de este tipo de registro; elimínela.",
    "fr": "{field} : cette propriété ne fait pas partie de ce type de fiche ; supprimez-la.",
    "ru": "{field}: это свойство не предусмотрено для записей данного типа; удалите его.",
    "zh": "{field}：此类记录没有该属性，请删除。",
}
UNKNOWN_PROPERTY: T = {
    "ar": "{field}: لا يعرف FocalPoint هذه الخاصية في هذا النوع من السجلات؛ ستُحفظ كما هي ولن تظهر في النموذج.",
    "en": "{field}: FocalPoint does not know this property for this kind of record; it is kept as it is, "
          "but not shown in the form.",
    "es": "{field}: FocalPoint no conoce esta propiedad para este tipo de registro; se conserva tal cual, "
          "pero no se muestra en el formulario.",
    "fr": "{field} : FocalPoint ne connaît pas cette propriété pour ce type de fiche ; elle est conservée "
          "telle quelle, mais n'apparaît pas dans le formulaire.",
    "ru": "{field}: FocalPoint не знает этого свойства для записей данного типа; оно сохраняется без изменений, "
          "но не отображается в форме.",
    "zh": "{field}：FocalPoint 不认识此类记录的这一属性；该属性将原样保留，但不会显示在表单中。",
}
UNKNOWN_TERM: T = {
    "ar": "{field}: المصطلح «{identifier}» غير موجود بعد في نسخة المكنز ({vocabulary}) على هذا الحاسوب؛ "
          "سيُحفظ كما هو ويُعرض بمعرّفه إلى أن يُحدَّث المكنز.",
    "en": "{field}: the term “{identifier}” is not in the local thesaurus yet ({vocabulary}); it is kept "
          "as it is and shown by its identifier until the thesaurus is refreshed.",
    "es": "{field}: el término «{identifier}» aún no figura en el tesauro local ({vocabulary}); se conserva "
          "tal cual y se muestra por su identificador hasta que se actualice el tesauro.",
    "fr": "{field} : le terme « {identifier} » ne figure pas encore dans le thésaurus local ({vocabulary}) ; "
          "il est conservé tel quel et affiché par son identifiant jusqu'à la mise à jour du thésaurus.",
    "ru": "{field}: термина «{identifier}» ещё нет в локальном тезаурусе ({vocabulary}); он сохраняется "
          "без изменений и показывается по идентификатору, пока тезаурус не будет обновлён.",
    "zh": "{field}：术语“{identifier}”尚不在本地叙词表（{vocabulary}）中；该术语将原样保留，"
          "并以其标识符显示，直至叙词表更新。",
}
NO_FORM: T = {
    "ar": "لا يوجد في FocalPoint نموذج لنوع السجل «{schema}»: يُحفظ السجل ويُزامَن ويُصدَّر كما هو، "
          "ويُعرض للقراءة فقط؛ ولم يُتحقق إلا من ترويسته.",
    "en": "There is no FocalPoint form for the record type “{schema}”: the record is kept, synchronized and "
          "exported as it is, and shown read-only; only its header was checked.",
    "es": "FocalPoint no tiene formulario para el tipo de registro «{schema}»: el registro se conserva, "
          "se sincroniza y se exporta tal cual, y se muestra en modo de solo lectura; solo se ha "
          "comprobado su encabezado.",
    "fr": "FocalPoint n'a pas de formulaire pour le type de fiche « {schema} » : la fiche est conservée, "
          "synchronisée et exportée telle quelle, et affichée en lecture seule ; seul son en-tête a été vérifié.",
    "ru": "В FocalPoint нет формы для записей типа «{schema}»: запись хранится, синхронизируется и "
          "экспортируется без изменений и показывается только для чтения; проверен лишь её заголовок.",
    "zh": "FocalPoint 没有“{schema}”类型记录的表单：该记录将原样保存、同步和导出，并以只读方式显示；"
          "仅检查了其标头。",
}
UNSPECIFIED_LOCALE: T = {
    "ar": "{field}: يوجد نص باللغة {language} وهي ليست من لغات السجل. أضف هذه اللغة إلى السجل أو احذف النص.",
    "en": "{field}: there is text in {language}, which is not one of the record's languages. "
          "Add the language to the record or remove the text.",
    "es": "{field}: hay texto en {language}, que no es uno de los idiomas del registro. "
          "Añada el idioma al registro o elimine el texto.",
    "fr": "{field} : il y a du texte en {language}, qui n'est pas une des langues de la fiche. "
          "Ajoutez cette langue à la fiche ou supprimez le texte.",
    "ru": "{field}: есть текст на языке «{language}», который не входит в число языков записи. "
          "Добавьте этот язык в запись или удалите текст.",
    "zh": "{field}：有{language}文本，但该语言不是记录的语言之一。请将该语言添加到记录中，或删除该文本。",
}
UNEXPECTED_TERM: T = {
    "ar": "{field}: «{identifier}» ليس من القائمة المعتمدة ({vocabulary}).",
    "en": "{field}: “{identifier}” is not in the controlled list ({vocabulary}).",
    "es": "{field}: «{identifier}» no figura en la lista controlada ({vocabulary}).",
    "fr": "{field} : « {identifier} » ne figure pas dans la liste contrôlée ({vocabulary}).",
    "ru": "{field}: «{identifier}» отсутствует в контролируемом списке ({vocabulary}).",
    "zh": "{field}：“{identifier}”不在受控词表（{vocabulary}）中。",
}
INVALID_TYPE: T = {
    "ar": "{field}: نوع القيمة غير صحيح (المتوقع: {expected}، الموجود: {found}).",
    "en": "{field}: the value has the wrong type (expected {expected}, found {found}).",
    "es": "{field}: el valor es de un tipo incorrecto (se esperaba {expected}, se encontró {found}).",
    "fr": "{field} : la valeur n'est pas du bon type ({expected} attendu, {found} trouvé).",
    "ru": "{field}: значение неверного типа (ожидалось: {expected}, получено: {found}).",
    "zh": "{field}：值的类型不正确（应为{expected}，实际为{found}）。",
}
TYPE_NAMES: dict[str, T] = {
    "string": {"ar": "نص", "en": "text", "es": "texto", "fr": "texte", "ru": "текст", "zh": "文本"},
    "number": {"ar": "رقم", "en": "a number", "es": "un número", "fr": "un nombre", "ru": "число",
               "zh": "数字"},
    "boolean": {"ar": "نعم/لا", "en": "yes/no", "es": "sí/no", "fr": "oui/non", "ru": "да/нет",
                "zh": "是/否"},
    "array": {"ar": "قائمة", "en": "a list", "es": "una lista", "fr": "une liste", "ru": "список",
              "zh": "列表"},
    "object": {"ar": "كائن", "en": "an object", "es": "un objeto", "fr": "un objet", "ru": "объект",
               "zh": "对象"},
    "null": {"ar": "قيمة فارغة", "en": "nothing", "es": "un valor vacío", "fr": "une valeur vide",
             "ru": "пустое значение", "zh": "空值"},
}

INVALID_VALUE: dict[str, T] = {
    "default": {
        "ar": "{field}: القيمة غير صالحة.",
        "en": "{field}: the value is not valid.",
        "es": "{field}: el valor no es válido.",
        "fr": "{field} : la valeur n'est pas valide.",
        "ru": "{field}: недопустимое значение.",
        "zh": "{field}：值无效。",
    },
    "date": {
        "ar": "{field}: «{value}» ليس تاريخًا صحيحًا؛ اكتبه على الشكل YYYY-MM-DD (مثلًا 2024-03-31).",
        "en": "{field}: “{value}” is not a valid date; write it as YYYY-MM-DD (for example 2024-03-31).",
        "es": "{field}: «{value}» no es una fecha válida; escríbala como AAAA-MM-DD (por ejemplo, 2024-03-31).",
        "fr": "{field} : « {value} » n'est pas une date valide ; écrivez-la sous la forme AAAA-MM-JJ (par exemple 2024-03-31).",
        "ru": "{field}: «{value}» — недопустимая дата; укажите её в формате ГГГГ-ММ-ДД (например, 2024-03-31).",
        "zh": "{field}：“{value}”不是有效日期；请按 YYYY-MM-DD 格式填写（例如 2024-03-31）。",
    },
    "partialDate": {
        "ar": "{field}: «{value}» ليس تاريخًا صالحًا؛ اكتب السنة أو السنة والشهر أو التاريخ الكامل (2024 أو 2024-12 أو 2024-12-31).",
        "en": "{field}: “{value}” is not a valid date; write the year, the year and month, or the full date (2024, 2024-12 or 2024-12-31).",
        "es": "{field}: «{value}» no es una fecha válida; escriba el año, el año y el mes, o la fecha completa (2024, 2024-12 o 2024-12-31).",
        "fr": "{field} : « {value} » n'est pas une date valide ; écrivez l'année, l'année et le mois, ou la date complète (2024, 2024-12 ou 2024-12-31).",
        "ru": "{field}: «{value}» — недопустимая дата; укажите год, год и месяц или полную дату (2024, 2024-12 или 2024-12-31).",
        "zh": "{field}：“{value}”不是有效日期；请填写年份、年月或完整日期（2024、2024-12 或 2024-12-31）。",
    },
    "tooLong": {
        "ar": "{field}: النص طويل جدًا ({length} حرفًا)؛ الحد الأقصى {maxLength} حرفًا.",
        "en": "{field}: the text is too long ({length} characters); the limit is {maxLength}.",
        "es": "{field}: el texto es demasiado largo ({length} caracteres); el límite es {maxLength}.",
        "fr": "{field} : le texte est trop long ({length} caractères) ; la limite est de {maxLength}.",
        "ru": "{field}: текст слишком длинный ({length} симв.); предел — {maxLength}.",
        "zh": "{field}：文本过长（{length} 个字符）；上限为 {maxLength} 个字符。",
    },
    "tooManyItems": {
        "ar": "{field}: عدد البنود كبير جدًا؛ الحد الأقصى {maxItems}.",
        "en": "{field}: there are too many entries; the limit is {maxItems}.",
        "es": "{field}: hay demasiadas entradas; el límite es {maxItems}.",
        "fr": "{field} : il y a trop d'entrées ; la limite est de {maxItems}.",
        "ru": "{field}: слишком много записей; предел — {maxItems}.",
        "zh": "{field}：条目过多；上限为 {maxItems} 项。",
    },
    "tooSmall": {
        "ar": "{field}: يجب ألا تقل القيمة عن {min}.",
        "en": "{field}: the value must be at least {min}.",
        "es": "{field}: el valor debe ser como mínimo {min}.",
        "fr": "{field} : la valeur doit être au moins égale à {min}.",
        "ru": "{field}: значение должно быть не меньше {min}.",
        "zh": "{field}：值不得小于 {min}。",
    },
    "tooLarge": {
        "ar": "{field}: يجب ألا تزيد القيمة عن {max}.",
        "en": "{field}: the value must be at most {max}.",
        "es": "{field}: el valor debe ser como máximo {max}.",
        "fr": "{field} : la valeur doit être au plus égale à {max}.",
        "ru": "{field}: значение должно быть не больше {max}.",
        "zh": "{field}：值不得大于 {max}。",
    },
    "integer": {
        "ar": "{field}: يجب أن تكون القيمة عددًا صحيحًا.",
        "en": "{field}: the value must be a whole number.",
        "es": "{field}: el valor debe ser un número entero.",
        "fr": "{field} : la valeur doit être un nombre entier.",
        "ru": "{field}: значение должно быть целым числом.",
        "zh": "{field}：值必须为整数。",
    },
    "number": {
        "ar": "{field}: القيمة ليست رقمًا صالحًا.",
        "en": "{field}: the value is not a valid number.",
        "es": "{field}: el valor no es un número válido.",
        "fr": "{field} : la valeur n'est pas un nombre valide.",
        "ru": "{field}: значение не является допустимым числом.",
        "zh": "{field}：值不是有效数字。",
    },
    "identifier": {
        "ar": "{field}: «{value}» ليس معرّف سجل صالحًا (من 11 إلى 128 حرفًا: أحرف لاتينية وأرقام و- و_).",
        "en": "{field}: “{value}” is not a valid record identifier (11 to 128 characters: letters, digits, - and _).",
        "es": "{field}: «{value}» no es un identificador de registro válido (de 11 a 128 caracteres: letras, cifras, - y _).",
        "fr": "{field} : « {value} » n'est pas un identifiant de fiche valide (11 à 128 caractères : lettres, chiffres, - et _).",
        "ru": "{field}: «{value}» — недопустимый идентификатор записи (от 11 до 128 символов: латинские буквы, цифры, - и _).",
        "zh": "{field}：“{value}”不是有效的记录标识符（11至128个字符：字母、数字、- 和 _）。",
    },
    "revisionRequired": {
        "ar": "{field}: يجب أن يذكر المرجع رقم المراجعة (المعرّف@المراجعة).",
        "en": "{field}: the reference must name the revision reviewed (identifier@revision).",
        "es": "{field}: la referencia debe indicar la revisión examinada (identificador@revisión).",
        "fr": "{field} : la référence doit indiquer la révision examinée (identifiant@révision).",
        "ru": "{field}: ссылка должна указывать проверенную редакцию (идентификатор@редакция).",
        "zh": "{field}：引用必须注明所审查的版本（标识符@版本）。",
    },
    "missingReference": {
        "ar": "{field}: يشير إلى السجل {identifier} غير الموجود. اختر سجلًا موجودًا أو أنشئه أولًا.",
        "en": "{field}: refers to record {identifier}, which does not exist. Choose an existing record or create it first.",
        "es": "{field}: remite al registro {identifier}, que no existe. Elija un registro existente o créelo primero.",
        "fr": "{field} : renvoie à la fiche {identifier}, qui n'existe pas. Choisissez une fiche existante ou créez-la d'abord.",
        "ru": "{field}: ссылается на запись {identifier}, которой не существует. Выберите существующую запись или сначала создайте её.",
        "zh": "{field}：引用的记录 {identifier} 不存在。请选择现有记录，或先创建该记录。",
    },
    "schema": {
        "ar": "{field}: «{value}» ليس نوع سجل معروفًا.",
        "en": "{field}: “{value}” is not a known record type.",
        "es": "{field}: «{value}» no es un tipo de registro conocido.",
        "fr": "{field} : « {value} » n'est pas un type de fiche connu.",
        "ru": "{field}: «{value}» — неизвестный тип записи.",
        "zh": "{field}：“{value}”不是已知的记录类型。",
    },
    "language": {
        "ar": "{field}: «{value}» ليست من لغات الأمم المتحدة الست (ar، en، es، fr، ru، zh).",
        "en": "{field}: “{value}” is not one of the six UN languages (ar, en, es, fr, ru, zh).",
        "es": "{field}: «{value}» no es uno de los seis idiomas de las Naciones Unidas (ar, en, es, fr, ru, zh).",
        "fr": "{field} : « {value} » n'est pas l'une des six langues des Nations Unies (ar, en, es, fr, ru, zh).",
        "ru": "{field}: «{value}» не является одним из шести языков ООН (ar, en, es, fr, ru, zh).",
        "zh": "{field}：“{value}”不是联合国六种正式语文之一（ar、en、es、fr、ru、zh）。",
    },
    "duplicate": {
        "ar": "{field}: «{identifier}» مكرر.",
        "en": "{field}: “{identifier}” appears more than once.",
        "es": "{field}: «{identifier}» aparece más de una vez.",
        "fr": "{field} : « {identifier} » apparaît plusieurs fois.",
        "ru": "{field}: «{identifier}» указано более одного раза.",
        "zh": "{field}：“{identifier}”重复出现。",
    },
    "endBeforeStart": {
        "ar": "{field}: تاريخ الانتهاء يسبق تاريخ البدء.",
        "en": "{field}: the end date is before the start date.",
        "es": "{field}: la fecha de finalización es anterior a la fecha de inicio.",
        "fr": "{field} : la date de fin précède la date de début.",
        "ru": "{field}: дата окончания раньше даты начала.",
        "zh": "{field}：结束日期早于开始日期。",
    },
    "email": {
        "ar": "{field}: «{value}» ليس عنوان بريد إلكتروني صالحًا.",
        "en": "{field}: “{value}” is not a valid e-mail address.",
        "es": "{field}: «{value}» no es una dirección de correo electrónico válida.",
        "fr": "{field} : « {value} » n'est pas une adresse électronique valide.",
        "ru": "{field}: «{value}» — недопустимый адрес электронной почты.",
        "zh": "{field}：“{value}”不是有效的电子邮件地址。",
    },
    "phone": {
        "ar": "{field}: «{value}» ليس رقم هاتف صالحًا (أرقام ومسافات و+ و- و() فقط).",
        "en": "{field}: “{value}” is not a valid telephone number (digits, spaces, +, - and brackets only).",
        "es": "{field}: «{value}» no es un número de teléfono válido (solo cifras, espacios, +, - y paréntesis).",
        "fr": "{field} : « {value} » n'est pas un numéro de téléphone valide (chiffres, espaces, +, - et parenthèses seulement).",
        "ru": "{field}: «{value}» — недопустимый номер телефона (только цифры, пробелы, +, - и скобки).",
        "zh": "{field}：“{value}”不是有效的电话号码（只能包含数字、空格、+、- 和括号）。",
    },
    "decimal": {
        "ar": "{field}: «{value}» ليس مبلغًا صالحًا (مثلًا 25000 أو 25000.50).",
        "en": "{field}: “{value}” is not a valid amount (for example 25000 or 25000.50).",
        "es": "{field}: «{value}» no es un importe válido (por ejemplo, 25000 o 25000.50).",
        "fr": "{field} : « {value} » n'est pas un montant valide (par exemple 25000 ou 25000.50).",
        "ru": "{field}: «{value}» — недопустимая сумма (например, 25000 или 25000.50).",
        "zh": "{field}：“{value}”不是有效金额（例如 25000 或 25000.50）。",
    },
    "url": {
        "ar": "{field}: «{value}» ليس عنوان ويب صالحًا (يبدأ بـ https:// أو http://).",
        "en": "{field}: “{value}” is not a valid web address (it starts with https:// or http://).",
        "es": "{field}: «{value}» no es una dirección web válida (empieza por https:// o http://).",
        "fr": "{field} : « {value} » n'est pas une adresse web valide (elle commence par https:// ou http://).",
        "ru": "{field}: «{value}» — недопустимый веб-адрес (он начинается с https:// или http://).",
        "zh": "{field}：“{value}”不是有效的网址（应以 https:// 或 http:// 开头）。",
    },
    "sha256": {
        "ar": "{field}: بصمة الملف المرفق غير صالحة؛ أرفق الملف من جديد.",
        "en": "{field}: the attached file's fingerprint is not valid; attach the file again.",
        "es": "{field}: la huella del archivo adjunto no es válida; vuelva a adjuntar el archivo.",
        "fr": "{field} : l'empreinte du fichier joint n'est pas valide ; joignez à nouveau le fichier.",
        "ru": "{field}: недопустимый отпечаток вложенного файла; приложите файл заново.",
        "zh": "{field}：附件的指纹无效；请重新附加该文件。",
    },
    "cannotSave": {
        "ar": "{field}: لا يمكن حفظ هذا المستند: {detail}",
        "en": "{field}: this document cannot be saved: {detail}",
        "es": "{field}: no se puede guardar este documento: {detail}",
        "fr": "{field} : ce document ne peut pas être enregistré : {detail}",
        "ru": "{field}: этот документ невозможно сохранить: {detail}",
        "zh": "{field}：无法保存此文档：{detail}",
    },
    "filename": {
        "ar": "{field}: اسم الملف غير صالح.",
        "en": "{field}: the file name is not valid.",
        "es": "{field}: el nombre del archivo no es válido.",
        "fr": "{field} : le nom du fichier n'est pas valide.",
        "ru": "{field}: недопустимое имя файла.",
        "zh": "{field}：文件名无效。",
    },
}

# labels for parts of a path that are not form fields
PARTS: dict[str, T] = {
    "header": {"ar": "ترويسة السجل", "en": "Record header", "es": "Encabezado del registro",
               "fr": "En-tête de la fiche", "ru": "Заголовок записи", "zh": "记录标头"},
    "identifier": {"ar": "المعرّف", "en": "identifier", "es": "identificador", "fr": "identifiant",
                   "ru": "идентификатор", "zh": "标识符"},
    "schema": {"ar": "نوع السجل", "en": "record type", "es": "tipo de registro", "fr": "type de fiche",
               "ru": "тип записи", "zh": "记录类型"},
    "languages": {"ar": "لغات السجل", "en": "languages", "es": "idiomas", "fr": "langues",
                  "ru": "языки", "zh": "语言"},
    "url": {"ar": "العنوان", "en": "address", "es": "dirección", "fr": "adresse", "ru": "адрес",
            "zh": "网址"},
    "name": {"ar": "الاسم", "en": "name", "es": "nombre", "fr": "nom", "ru": "название", "zh": "名称"},
    "amount": {"ar": "المبلغ", "en": "amount", "es": "importe", "fr": "montant", "ru": "сумма",
               "zh": "金额"},
    "currency": {"ar": "العملة", "en": "currency", "es": "moneda", "fr": "monnaie", "ru": "валюта",
                 "zh": "货币"},
    "customValue": {"ar": "قيمة أخرى", "en": "other value", "es": "otro valor", "fr": "autre valeur",
                    "ru": "другое значение", "zh": "其他值"},
    "filename": {"ar": "اسم الملف", "en": "file name", "es": "nombre del archivo", "fr": "nom du fichier",
                 "ru": "имя файла", "zh": "文件名"},
    "document": {"ar": "المستند", "en": "The document", "es": "El documento", "fr": "Le document",
                 "ru": "Документ", "zh": "文档"},
}
SEPARATOR = " › "

_SEGMENT = re.compile(r"([^.\[\]]+)((?:\[\d+\])*)")


def _lang(lang: str) -> str:
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def _language_name(code: str, lang: str) -> str:
    from focalpoint.forms.vocabularies import vocabulary

    term = vocabulary("languages").term(code)
    return localize(term.label, lang) if term else code


def field_label(schema: str | None, path: str, lang: str) -> str:
    """A readable name for a property path: ``Needs (2) › Aichi Biodiversity Targets (1)``."""
    if not path:
        return PARTS["document"][lang]
    fields: tuple[Field, ...] = ()
    if schema:
        from focalpoint.forms.model import load_form

        try:
            fields = load_form(schema).fields
        except KeyError:
            fields = ()
    parts: list[str] = []
    localized_parent = False
    for match in _SEGMENT.finditer(path):
        name, indexes = match.group(1), match.group(2)
        numbers = "".join(f" ({int(i) + 1})" for i in re.findall(r"\d+", indexes))
        fld = next((f for f in fields if f.name == name), None)
        if fld is not None:
            parts.append(localize(fld.label, lang) + numbers)
            fields = fld.fields
            localized_parent = fld.localized or fld.name == "customValue"
            continue
        if localized_parent and name in LANGUAGES:
            parts[-1] += f" ({_language_name(name, lang)})" if parts else ""
            continue
        if name in PARTS:
            parts.append(localize(PARTS[name], lang) + numbers)
        else:
            parts.append(name + numbers)
        localized_parent = name == "customValue"
        fields = ()
    return SEPARATOR.join(parts) if parts else path


def _vocabulary_label(name: Any, lang: str) -> str:
    from focalpoint.forms.vocabularies import vocabulary

    try:
        return localize(vocabulary(str(name)).label, lang)
    except KeyError:
        return str(name)


def render_message(error: ValidationError, lang: str) -> str:
    """The sentence for one validation error in ``lang``."""
    from focalpoint.forms import validation as v

    lang = _lang(lang)
    p = error.params or {}
    values: dict[str, Any] = {k: val for k, val in p.items()}
    values["field"] = field_label(error.schema, error.property, lang)
    code = error.code
    if code == v.MANDATORY:
        if "language" in p:
            values["language"] = _language_name(str(p["language"]), lang)
            template = MANDATORY_LANGUAGE
        elif "minItems" in p:
            template = MANDATORY_ITEMS
        else:
            template = MANDATORY
    elif code == v.MANDATORY_ANY_OF:
        names = [field_label(error.schema, n, lang) for n in p.get("anyOf", [error.property])]
        values["fields"] = ("، " if lang == "ar" else "、" if lang == "zh" else ", ").join(names)
        template = MANDATORY_ANY_OF
    elif code == v.INVALID_PROPERTY:
        template = INVALID_PROPERTY
    elif code == v.UNKNOWN_PROPERTY:
        template = UNKNOWN_PROPERTY
    elif code == v.UNKNOWN_TERM:
        values["vocabulary"] = _vocabulary_label(p.get("vocabulary"), lang)
        values.setdefault("identifier", "")
        template = UNKNOWN_TERM
    elif code == v.NO_FORM:
        values.setdefault("schema", "")
        template = NO_FORM
    elif code == v.UNSPECIFIED_LOCALE:
        code_ = str(p.get("language", ""))
        values["language"] = _language_name(code_, lang) if code_ in LANGUAGES else code_
        template = UNSPECIFIED_LOCALE
    elif code == v.UNEXPECTED_TERM:
        values["vocabulary"] = _vocabulary_label(p.get("vocabulary"), lang)
        values.setdefault("identifier", "")
        template = UNEXPECTED_TERM
    elif code == v.INVALID_TYPE:
        values["expected"] = TYPE_NAMES.get(str(p.get("expected")), TYPE_NAMES["object"])[lang]
        values["found"] = TYPE_NAMES.get(str(p.get("found")), TYPE_NAMES["object"])[lang]
        template = INVALID_TYPE
    else:
        template = INVALID_VALUE.get(str(p.get("reason")), INVALID_VALUE["default"])
    try:
        return template[lang].format(**values)
    except (KeyError, IndexError, ValueError):
        return template[lang].split(":")[0].format(field=values["field"]) if "{field}" in template[lang] \
            else template[lang]
