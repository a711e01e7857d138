// A realistic demo data set for the README's pictures (`make screenshots`):
// the customer list of a small business with shops in London, Manchester,
// Tel Aviv and Paris, as a messy spreadsheet export would hold it. Made
// deterministically (no randomness), so the pictures change only when the
// app does. Names, numbers and addresses are made up (the e-mails are on
// the reserved example.* domains).
import * as XLSX from 'xlsx';

const uk = {
  first: ['Oliver', 'Amelia', 'Harry', 'Isla', 'George', 'Ava', 'Noah', 'Mia', 'Jack', 'Sophie', 'Leo', 'Grace',
    'Arthur', 'Freya', 'Oscar', 'Emily', 'Charlie', 'Poppy', 'Alfie', 'Evie', 'Priya', 'Mohammed', 'Aisha', 'Rhys'],
  last: ['Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Wilson', 'Evans', 'Thomas', 'Roberts', 'Walker',
    'Patel', 'Khan', 'Hughes', 'Edwards', 'Green', 'Hall', 'Wood', 'Clarke', 'Davies', 'Murphy'],
  companies: ['Brightwell Dental', 'Northern Rail Supplies', 'Kettle & Crumb', 'Ashby Lettings', 'Lime Street Gym', ''],
};
const il = {
  first: ['נועה', 'יוסף', 'מאיה', 'דוד', 'תמר', 'אריאל', 'שירה', 'איתי', 'רוני', 'עומר', 'ליאור', 'הדס'],
  last: ['כהן', 'לוי', 'מזרחי', 'פרץ', 'ביטון', 'אברהם', 'פרידמן', 'שפירא', 'דהן', 'אזולאי'],
  companies: ['קפה לנדוור', 'סטודיו אור', 'מאפיית הכרמל', ''],
};
const fr = {
  first: ['Camille', 'Louis', 'Chloé', 'Hugo', 'Léa', 'Jules', 'Manon', 'Lucas'],
  last: ['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand'],
  companies: ['Boulangerie Petit', 'Atelier Lumière', ''],
};

const ascii = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();

/** The header row and data rows of the demo file (`n` people, a few of them twice). */
export function demoRows(n = 320): string[][] {
  const rows: string[][] = [['First name', 'Last name', 'Mobile', 'Email', 'Company', 'Branch', 'Notes']];
  for (let i = 0; i < n; i++) {
    const k = i % 10;
    let first: string, last: string, company: string, phone: string, email: string, branch: string;
    if (k < 6) {
      const n = Math.floor(i / 10) * 6 + k; // 0, 1, 2… over the UK rows
      first = uk.first[n % uk.first.length];
      last = uk.last[(n * 7 + Math.floor(n / uk.first.length)) % uk.last.length];
      company = uk.companies[(i * 5) % uk.companies.length];
      phone = `${['07400', '07823', '07555'][i % 3]} ${String(310_000 + i * 37).padStart(6, '0')}`;
      email = `${ascii(first)}.${ascii(last)}${i}@example.co.uk`;
      branch = i % 3 === 0 ? 'Manchester' : 'London';
    } else if (k < 9) {
      const n = Math.floor(i / 10) * 3 + (k - 6);
      first = il.first[n % il.first.length];
      last = il.last[(n * 3 + Math.floor(n / il.first.length)) % il.last.length];
      company = il.companies[i % il.companies.length];
      phone = `+972 50-000-${String(1000 + i).padStart(4, '0')}`;
      email = i % 2 ? `client${i}@example.co.il` : '';
      branch = 'Tel Aviv';
    } else {
      const n = Math.floor(i / 10);
      first = fr.first[n % fr.first.length];
      last = fr.last[(n * 3 + Math.floor(n / fr.first.length)) % fr.last.length];
      company = fr.companies[i % fr.companies.length];
      phone = `+33 6 12 ${String(10 + (i % 90)).padStart(2, '0')} ${String(10 + Math.floor(i / 90)).padStart(2, '0')} ${String(20 + (i % 70)).padStart(2, '0')}`;
      email = `${ascii(first)}.${ascii(last)}${i}@example.fr`;
      branch = 'Paris';
    }
    const notes = i % 13 === 0 ? 'Prefers texts after 5pm' : i % 17 === 0 ? 'Wholesale account' : '';
    rows.push([first, last, phone, email, company, branch, notes]);
  }
  // What a real export holds too: a typo'd number, a row with no way to reach
  // the person, and a repeat of someone with their e-mail filled in.
  rows.push(['Declan', 'O\'Brien', '07400 3101', '', 'Brightwell Dental', 'London', '']);
  rows.push(['Hannah', 'Reid', '', '', '', 'Manchester', 'Met at the Christmas market']);
  const again = [...rows[4]];
  again[3] = `work.${again[3]}`;
  rows.push(again);
  return rows;
}

/** The demo file as an xlsx workbook. */
export function demoWorkbook(): Buffer {
  const wb = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(demoRows()), 'Customers');
  return XLSX.write(wb, { type: 'buffer', bookType: 'xlsx' }) as Buffer;
}
