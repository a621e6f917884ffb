import { describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/core';
import {
  applyMask,
  builtinRules,
  compileRules,
  findMaskSpans,
  validateCustomRegex,
} from '../../src/main/features/dataset/masking';
import type { MaskRule } from '../../src/shared/masking';
import { importFile, projectFixtureForEachTest, writeFixture } from './fixtures';

/** Only the named built-in rules switched on. */
function only(...names: string[]): ReturnType<typeof compileRules> {
  return compileRules(builtinRules(new Set(names)));
}

function masked(text: string, ...names: string[]): string {
  return applyMask(text, only(...names)).text;
}

describe('built-in masking rules', () => {
  it('Chinese resident ID numbers: only with a valid check character', () => {
    expect(masked('身份证 110105199003071239。', 'cn_id_card')).toBe('身份证 [ID]。');
    expect(masked('ID 11010519491231002x', 'cn_id_card')).toBe('ID [ID]');
    // The same 18 digits with a wrong last digit are an account number, not an ID.
    expect(masked('账号 110105199003071234', 'cn_id_card')).toBe('账号 110105199003071234');
    // Part of a longer number is not an ID either.
    expect(masked('1101051990030712391', 'cn_id_card')).toBe('1101051990030712391');
  });

  it('mobile numbers, Chinese and international', () => {
    const rules = ['cn_mobile', 'intl_phone', 'phone'];
    expect(masked('电话13812345678，或 +86 13912345678', ...rules)).toBe('电话[PHONE]，或 [PHONE]');
    expect(masked('Soita +358 400 817198 tai +44 20 7946 0958.', ...rules)).toBe(
      'Soita [PHONE] tai [PHONE].',
    );
    expect(masked('Call (555) 123-4567 now', ...rules)).toBe('Call [PHONE] now');
    // Twelve digits starting with 1, a dose and a blood pressure are not phone numbers.
    expect(masked('订单 138123456789；Dose 500 mg, BP 120/80', ...rules)).toBe(
      '订单 138123456789；Dose 500 mg, BP 120/80',
    );
  });

  it('e-mail addresses', () => {
    expect(masked('write to jane.doe+x@example.org.', 'email')).toBe('write to [EMAIL].');
    expect(masked('not@an-address', 'email')).toBe('not@an-address');
  });

  it('dates in common English and Chinese formats, and not numbers that only look like them', () => {
    const cases: Array<[string, string]> = [
      ['seen 2024-03-05 and 2024/3/5', 'seen [DATE] and [DATE]'],
      ['born 05/03/2024 or 5.3.2024', 'born [DATE] or [DATE]'],
      ['on 3 March 2024, again 3rd of March', 'on [DATE], again [DATE]'],
      ['on March 3, 2024 and Dec 25', 'on [DATE] and [DATE]'],
      ['入院日期2024年3月5日，出院3月12号', '入院日期[DATE]，出院[DATE]'],
      ['2024年3月复查', '[DATE]复查'],
    ];
    for (const [text, want] of cases) expect(masked(text, 'date'), text).toBe(want);
    // A day and month both over 12, a version number, a blood pressure, a year alone, "may" as a verb.
    for (const text of ['31/13/2024', 'version 1.2.10', 'BP 120/80', 'in 2023', 'you may 3 times', '3个月后'])
      expect(masked(text, 'date'), text).toBe(text);
  });

  it('English and Chinese street addresses', () => {
    expect(masked('Lives at 221B Baker Street, London NW1 6XE with', 'address_en')).toBe(
      'Lives at [ADDRESS] with',
    );
    expect(masked('moved to 12 High St. last year', 'address_en')).toBe('moved to [ADDRESS] last year');
    expect(masked('took 12 Paracetamol tablets', 'address_en')).toBe('took 12 Paracetamol tablets');
    expect(masked('患者住在北京市朝阳区建国路88号3单元，', 'address_zh')).toBe('患者住在[ADDRESS]，');
    expect(masked('家住上海市徐汇区漕溪北路1200号。', 'address_zh')).toBe('家住[ADDRESS]。');
    expect(masked('3号床患者在路上摔倒', 'address_zh')).toBe('3号床患者在路上摔倒');
  });

  it('an earlier rule wins an overlap: an ID number is not also a phone number or a date', () => {
    const r = applyMask('ID 110105199003071239 tel 13812345678', compileRules(builtinRules()));
    expect(r.text).toBe('ID [ID] tel [PHONE]');
    expect(r.perRule).toEqual({ cn_id_card: 1, cn_mobile: 1 });
    // The spans point at the replacements in the masked text.
    expect(r.spans.map((s) => r.text.slice(s.start, s.end))).toEqual(['[ID]', '[PHONE]']);
  });
});

function namesRule(names: string[]): MaskRule {
  return {
    name: 'patients',
    kind: 'names',
    enabled: true,
    description: '',
    pattern: '',
    replacement: '[NAME]',
    names,
  };
}

describe('names from a list', () => {
  const rules = compileRules([namesRule(['Ann Lee', 'Ann', '张伟', "O'Brien"])]);
  it('exact, any case, whole words in Latin script, anywhere in Chinese', () => {
    expect(applyMask('ann lee and ANN met', rules).text).toBe('[NAME] and [NAME] met');
    expect(applyMask('Anna and Annex are not Ann.', rules).text).toBe('Anna and Annex are not [NAME].');
    expect(applyMask('患者张伟入院，张伟华不是', rules).text).toBe('患者[NAME]入院，[NAME]华不是');
    expect(applyMask("Mr O’Brien, Mr o'brien", rules).text).toBe('Mr O’Brien, Mr [NAME]');
    expect(applyMask('Ann说', rules).text).toBe('[NAME]说');
    // The longest name wins, and a run of spaces still matches.
    expect(applyMask('Ann   Lee', rules).perRule).toEqual({ patients: 1 });
  });
  it('a name full of regular-expression characters is taken literally', () => {
    const r = compileRules([namesRule(['a.b (c)'])]);
    expect(applyMask('a.b (c) and axb (c)', r).text).toBe('[NAME] and axb (c)');
  });
});

describe('custom regular expressions', () => {
  it('refuses an invalid one, one that matches the empty text, and one that backtracks catastrophically', () => {
    expect(() => validateCustomRegex('(unclosed')).toThrow(/not a valid regular expression/);
    expect(() => validateCustomRegex('[0-9]*')).toThrow(/matches the empty text/);
    expect(() => validateCustomRegex('x?')).toThrow(/matches the empty text/);
    expect(() => validateCustomRegex('(a+)+$')).toThrow(/ran longer than 250 ms/);
    expect(() => validateCustomRegex('(\\w+\\s?)+!$')).toThrow(/backtracks catastrophically/);
    expect(validateCustomRegex('PT-[0-9]{6}')).toBeInstanceOf(RegExp);
  });
  it('runs on long texts in slices and finds every match', () => {
    const rule: MaskRule = {
      name: 'case',
      kind: 'regex',
      enabled: true,
      description: '',
      pattern: 'PT-[0-9]{6}',
      replacement: '[CASE]',
      caseInsensitive: true,
    };
    const text = Array.from({ length: 3000 }, (_v, i) => `pt-${String(i).padStart(6, '0')} `).join('filler ');
    const spans = findMaskSpans(text, compileRules([rule]));
    expect(spans.length).toBe(3000);
  });
});

describe('project masking rules', () => {
  let core: Core;
  let dir: string;
  let projectId: number;
  projectFixtureForEachTest('Masking', (f) => ({ core, dir, projectId } = f));

  it('a project nobody configured keeps the rules masking always had', async () => {
    const rules = await core.call('dataset.maskRules', { projectId });
    expect(rules.filter((r) => r.enabled).map((r) => r.name)).toEqual([
      'email',
      'cn_id_card',
      'medical_record_number',
      'cn_mobile',
      'intl_phone',
      'phone',
    ]);
    expect(rules.filter((r) => !r.enabled).map((r) => r.name)).toEqual(['date', 'address_en', 'address_zh']);
  });

  it('adds, switches and removes rules; counts per rule in the preview; cleaning applies them', async () => {
    const csv = [
      'text,label',
      '"Ann Lee phoned 13812345678 on 2024-03-05",a',
      '"张伟 case PT-001234, ann again",b',
      '"nothing personal here",a',
    ].join('\n');
    const { job } = await importFile(core, {
      projectId,
      path: writeFixture(dir, 'm.csv', csv),
      textColumn: 'text',
      labelColumn: 'label',
    });
    expect(job.state).toBe('completed');
    await core.call('dataset.maskAddRule', {
      projectId,
      rule: { kind: 'names', name: 'patients', names: ['Ann Lee', 'Ann', '张伟'] },
    });
    await core.call('dataset.maskAddRule', {
      projectId,
      rule: { kind: 'regex', name: 'case number', pattern: 'PT-[0-9]{6}', replacement: '[CASE]' },
    });
    await core.call('dataset.maskSetEnabled', { projectId, name: 'date', enabled: true });
    await core.call('dataset.maskSetEnabled', { projectId, name: 'phone', enabled: false });

    const p = await core.call('dataset.maskPreview', { projectId });
    expect(p.documents).toBe(3);
    const count = Object.fromEntries(p.perRule.map((r) => [r.rule, [r.matches, r.documents]]));
    expect(count).toMatchObject({
      patients: [3, 2],
      'case number': [1, 1],
      date: [1, 1],
      cn_mobile: [1, 1],
      email: [0, 0],
    });
    expect(count.phone).toBeUndefined();
    expect(p.samples.map((s) => s.spans.map((x) => s.text.slice(x.start, x.end)))).toEqual([
      ['Ann Lee', '13812345678', '2024-03-05'],
      ['张伟', 'PT-001234', 'ann'],
    ]);

    await expect(
      core.call('dataset.maskAddRule', { projectId, rule: { kind: 'regex', name: 'bad', pattern: '[a-z' } }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(
      core.call('dataset.maskAddRule', {
        projectId,
        rule: { kind: 'names', name: 'Patients', names: ['x'] },
      }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(core.call('dataset.maskRemoveRule', { projectId, name: 'email' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });

    await core.call('dataset.cleanApply', { projectId, options: { mask: true } });
    const texts = (
      core.db.prepare('SELECT text FROM examples WHERE project_id = ? ORDER BY id').all(projectId) as Array<{
        text: string;
      }>
    ).map((r) => r.text);
    expect(texts).toEqual([
      '[PATIENTS] phoned [PHONE] on [DATE]',
      '[PATIENTS] case [CASE], [PATIENTS] again',
      'nothing personal here',
    ]);
    const rules = await core.call('dataset.maskRemoveRule', { projectId, name: 'case number' });
    expect(rules.map((r) => r.name)).not.toContain('case number');
    // The audit log keeps that the rules changed, not the names on the list.
    const details = core.db
      .prepare("SELECT details FROM audit_log WHERE action = 'mask_rules' ORDER BY id")
      .all() as Array<{ details: string }>;
    expect(details.length).toBe(5);
    expect(details.map((d) => d.details).join(' ')).not.toContain('Ann');
  });
});
